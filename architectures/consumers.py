"""WebSocket consumer of a board: authenticate, join the board's group, forward its events."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from architectures import access
from architectures.broadcast import board_group
from architectures.live_consumer import LiveEditingMixin
from architectures.payloads import run_payload
from architectures.selectors import board_active_runs
from whiteboard.pool import database_call

CLOSE_NOT_FOUND = 4404
CLOSE_REVOKED = 4403


class BoardConsumer(LiveEditingMixin, AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        board_id = self.scope["url_route"]["kwargs"]["board_id"]
        granted = await database_call(access.socket_access)(self.scope, board_id)
        if granted is None:  # unknown board or no valid token: the same answer, as over HTTP
            await self.close(code=CLOSE_NOT_FOUND)
            return
        # role: "edit" or "view" (view connections may not send edits); token_role: the role whose
        # token this connection used, None for the owner's session (not revoked by a new token).
        board, self.role, self.token_role = granted
        self.board_id = board.pk
        self.group = board_group(board.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        offered = self.scope.get("subprotocols") or []
        await self.accept(subprotocol=access.SUBPROTOCOL if access.SUBPROTOCOL in offered else None)
        await self.live_join()
        # A client joining mid-run first learns where every active run stands.
        active = await database_call(_active_runs)(board.pk)
        await self.send_json({"type": "hello", "board_id": str(board.pk), "version": await self.version_now(),
                              "active_runs": active, "client": self.client_id})

    async def board_revoke(self, event: dict) -> None:
        """A link was regenerated: close if this connection came in with the old token of that role."""
        if event.get("role") != self.token_role:
            return
        still = await database_call(access.socket_still_valid)(
            self.board_id, access.socket_token(self.scope), self.token_role)
        if not still:
            await self.close(code=CLOSE_REVOKED)

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.live_leave()
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def board_event(self, event: dict) -> None:
        if not self.echoes_own(event["payload"]):
            await self.send_json(event["payload"])


def _active_runs(board_id) -> list[dict]:
    return [run_payload(run, with_results=False) for run in board_active_runs(board_id=board_id)]
