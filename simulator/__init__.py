"""Discrete-event simulation of a board document: board in, results out. A plain library."""

from simulator.errors import SimulationCancelled, SimulationError
from simulator.results import Results
from simulator.runner import MAX_REQUESTS, check_run_length, run

__all__ = ["MAX_REQUESTS", "Results", "SimulationCancelled", "SimulationError", "check_run_length", "run"]
