"""WebSocket consumer of a board: authenticate, join the board's group, forward its events."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from architectures.broadcast import board_group
from architectures.models import SimulationRun
from architectures.runs import run_public
from architectures.selectors import BoardNotFound, board_get

CLOSE_NOT_FOUND = 4404


class BoardConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        board_id = self.scope["url_route"]["kwargs"]["board_id"]
        try:
            board = await database_sync_to_async(board_get)(board_id=board_id)
        except BoardNotFound:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = board_group(board.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        # A client joining mid-run first learns where every active run stands.
        active = await database_sync_to_async(_active_runs)(board.pk)
        await self.send_json({"type": "hello", "board_id": str(board.pk), "version": board.version,
                              "active_runs": active})

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def board_event(self, event: dict) -> None:
        await self.send_json(event["payload"])


def _active_runs(board_id) -> list[dict]:
    runs = SimulationRun.objects.filter(board_id=board_id, status__in=SimulationRun.ACTIVE).defer("results", "document")
    return [run_public(run, with_results=False) for run in runs]
