"""Discrete-event simulation of a board document: board in, results out. A plain library."""

from simulator.compiled_cache import refresh as _refresh_compiled_cache

_refresh_compiled_cache()  # before any compiled module is loaded, so no stale cached loop is used

from simulator.errors import SimulationCancelled, SimulationError  # noqa: E402
from simulator.results import Results  # noqa: E402
from simulator.runner import MAX_REQUESTS, check_run_length, run  # noqa: E402

__all__ = ["MAX_REQUESTS", "Results", "SimulationCancelled", "SimulationError", "check_run_length", "run"]
