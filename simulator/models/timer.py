"""Batch times drawn from a measured profile, interpolated between batch sizes and scaled per instance."""

from __future__ import annotations

from typing import Any

import numpy as np


class ProfileBatchTimer:
    """A model server's BatchTimer backed by measured predict wall times.

    A batch of a measured size draws from that size's samples. Between two measured sizes the
    same quantile is taken from both (one uniform draw) and interpolated linearly in the batch
    size, so the shape of the distribution carries over; above the largest size the last
    per-request slope is extended. Every time is multiplied by `factor` (the instance's speed).
    """

    def __init__(self, profile: dict[str, Any], factor: float = 1.0, info: dict[str, Any] | None = None) -> None:
        self.profile = profile
        self.factor = factor
        self.info = info or {}
        timings = profile["timings"]
        self.sizes = np.array(sorted(int(s) for s in timings))
        self._sorted = [np.sort(np.asarray(timings[str(s)]["samples_ms"], dtype=float)) for s in self.sizes]

    def _quantile(self, k: int, u: np.ndarray) -> np.ndarray:
        """Values of size index k at quantiles u, reading the sorted samples with linear interpolation."""
        values = self._sorted[k]
        return np.interp(u * (len(values) - 1), np.arange(len(values)), values)

    def sample_ms(self, batch_size: int, rng: np.random.Generator, n: int) -> np.ndarray:
        """n batch times in ms for batches of batch_size requests."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        exact = np.flatnonzero(self.sizes == batch_size)
        if exact.size:
            samples = self._sorted[exact[0]]
            return samples[rng.integers(0, len(samples), n)] * self.factor
        u = rng.random(n)
        if batch_size < self.sizes[0]:
            return self._quantile(0, u) * self.factor
        upper = int(np.searchsorted(self.sizes, batch_size))
        if upper == len(self.sizes):  # beyond the largest measured size: extend the last slope
            upper = len(self.sizes) - 1
        lower = upper - 1
        lo, hi = self._quantile(lower, u), self._quantile(upper, u)
        weight = (batch_size - self.sizes[lower]) / (self.sizes[upper] - self.sizes[lower])
        return np.maximum(lo + weight * (hi - lo), np.minimum(lo, hi)) * self.factor

    def median_ms(self, batch_size: int) -> float:
        """Median batch time on this instance, from the profile's measured medians."""
        p50 = [self.profile["timings"][str(s)]["p50_ms"] for s in self.sizes]
        return float(np.interp(batch_size, self.sizes, p50)) * self.factor
