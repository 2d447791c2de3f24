"""Uniform random numbers inside the compiled loop (xoshiro256**), one stream per purpose.

Service and batch times come from the same pre-drawn streams as the fast path (so both engines
agree); what only the event loop needs (retry jitter, error draws) is drawn here, from states
seeded by the run's seed, so a run stays reproducible without leaving the compiled code.
"""

from __future__ import annotations

import numpy as np

from simulator.events.jit import compiled, inlined

_53 = 1.0 / 9007199254740992.0  # 2**-53


@inlined
def _rotl(x, k):  # pragma: no cover - compiled
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@compiled
def uniform(states, stream):  # pragma: no cover - compiled
    """The next number in [0, 1) of one stream (a row of four uint64 words)."""
    s0, s1, s2, s3 = states[stream, 0], states[stream, 1], states[stream, 2], states[stream, 3]
    result = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    states[stream, 0], states[stream, 1], states[stream, 2], states[stream, 3] = s0, s1, s2, s3
    return float(result >> np.uint64(11)) * _53


def seeded_states(rng: np.random.Generator, streams: int) -> np.ndarray:
    """Independent xoshiro states for `streams` streams, drawn from a generator of the run."""
    states = rng.integers(1, 2 ** 63, size=(max(streams, 1), 4), dtype=np.uint64, endpoint=False)
    return states
