"""How the event loop's functions are compiled: cached, without the GIL, and without reference counting.

Every table they touch is held by the State for the whole of a call of the loop (simulator/events/
state.py), so counting references to them would only cost time: each count is an atomic add in a
call LLVM cannot see through, about a fifth of an event's time. Compiled this way, a function cannot
allocate an array; none of the loop's functions does. `run` and `prime`, which Python calls,
are compiled as usual. The busiest functions first bind the tables they use to locals: a table
read through the State is looked up again after every store, since LLVM cannot tell a store into a
table from one into the State.
"""

from __future__ import annotations

from simulator.fifo import njit

compiled = njit(cache=True, nogil=True, _nrt=False)
inlined = njit(cache=True, nogil=True, _nrt=False, inline="always")  # copied into its callers
