"""Errors the simulator raises for boards it cannot run, each naming where in the document."""

from __future__ import annotations


class SimulationError(ValueError):
    """A valid document that cannot be simulated as asked (limits, cycles, no entry)."""

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class SimulationCancelled(RuntimeError):
    """Raised when the caller's should_stop() asked the run to stop."""
