"""Progress reports and cooperative cancellation for a run, independent of how the run is done.

The simulation spends long stretches inside NumPy sorts and compiled loops that cannot call back,
so a daemon thread reports the latest fraction every 50 ms of wall time while the run updates it.
Every progress call therefore comes from that one thread, in order, and the last (1.0) from the
caller's thread after the run. `should_stop` is polled on the caller's thread at most every 50 ms.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from simulator.errors import SimulationCancelled

INTERVAL_S = 0.05


class Ticker:
    def __init__(self, progress: Callable[[float], None] | None,
                 should_stop: Callable[[], bool] | None) -> None:
        self.fraction = 0.0
        self._progress = progress
        self._should_stop = should_stop
        self._last_check = 0.0
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "Ticker":
        if self._progress is not None:
            self._thread = threading.Thread(target=self._beat, name="simulator-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        if exc[0] is None and self._progress is not None:
            self._progress(1.0)

    def _beat(self) -> None:
        while not self._done.wait(INTERVAL_S):
            self._progress(min(self.fraction, 0.999))

    def update(self, fraction: float) -> None:
        """Record progress and raise SimulationCancelled if the caller asked to stop."""
        self.fraction = fraction
        if self._should_stop is None:
            return
        now = time.monotonic()
        if now - self._last_check >= INTERVAL_S:
            self._last_check = now
            if self._should_stop():
                raise SimulationCancelled("the run was stopped by the caller")
