"""Why a request or a visit did not complete: the codes both engines write and the results name.

Drops are load a node sheds from its queue (a full queue, a wait past the node's timeout); errors
are answers that failed (a refusal by a rate limit, a lost replica, an outage, an error after
service, a partitioned connection, an open circuit breaker, a caller that stopped waiting).
"""

from __future__ import annotations

IN_FLIGHT, COMPLETED = -1, 0
QUEUE_FULL, TIMEOUT, RATE_LIMITED = 1, 2, 3
REPLICA_LOST, UNAVAILABLE, ERROR, UNREACHABLE, CIRCUIT_OPEN, CALL_TIMEOUT = 4, 5, 6, 7, 8, 9
REASON_COUNT = 10

DROP_REASONS = {QUEUE_FULL: "queue_full", TIMEOUT: "timeout"}
ERROR_REASONS = {RATE_LIMITED: "rate_limited", REPLICA_LOST: "replica_lost", UNAVAILABLE: "unavailable",
                 ERROR: "error", UNREACHABLE: "unreachable", CIRCUIT_OPEN: "circuit_open",
                 CALL_TIMEOUT: "call_timeout"}
# Failures that happen at a node (the others happen on a connection, before or around the call).
NODE_ERROR_REASONS = {code: ERROR_REASONS[code] for code in (RATE_LIMITED, REPLICA_LOST, UNAVAILABLE, ERROR)}
REASONS = {**DROP_REASONS, **ERROR_REASONS}
