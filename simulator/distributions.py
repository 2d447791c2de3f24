"""Service-time distributions of a node, sampled in milliseconds from a generator passed in."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

# Standard normal quantile at 0.99: a lognormal is given by its median and P99.
Z99 = 2.3263478740408408


@dataclass(frozen=True)
class ServiceTime:
    """One service-time distribution, as described by a node's `service_time` field."""

    dist: str
    mean_ms: float = 0.0
    median_ms: float = 0.0
    p99_ms: float = 0.0
    samples_ms: tuple[float, ...] = ()

    @property
    def sigma(self) -> float:
        return math.log(self.p99_ms / self.median_ms) / Z99

    def mean(self) -> float:
        """Expected service time in ms (used for capacity and offered load)."""
        if self.dist == "lognormal":
            return self.median_ms * math.exp(self.sigma ** 2 / 2)
        if self.dist == "empirical":
            return float(np.mean(self.samples_ms))
        return self.mean_ms

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n independent service times in ms."""
        if self.dist == "exponential":
            return rng.exponential(self.mean_ms, n) if self.mean_ms > 0 else np.zeros(n)
        if self.dist == "constant":
            return np.full(n, float(self.mean_ms))
        if self.dist == "lognormal":
            return self.median_ms * np.exp(self.sigma * rng.standard_normal(n))
        return np.asarray(self.samples_ms, dtype=float)[rng.integers(0, len(self.samples_ms), n)]


ZERO = ServiceTime("constant", mean_ms=0.0)


def service_time(spec: dict[str, Any]) -> ServiceTime:
    """Build a ServiceTime from a validated `service_time` object."""
    dist = spec["dist"]
    if dist == "lognormal":
        return ServiceTime(dist, median_ms=float(spec["median_ms"]), p99_ms=float(spec["p99_ms"]))
    if dist == "empirical":
        return ServiceTime(dist, samples_ms=tuple(float(s) for s in spec["samples_ms"]))
    return ServiceTime(dist, mean_ms=float(spec["mean_ms"]))


class SampleStream:
    """Draws from a sampler in fixed-size chunks so that any two consumers see the same sequence.

    The fast path takes thousands of samples at a time and the event loop one at a time; because
    both read the same chunked stream, they give a node's k-th served request the same time.
    """

    CHUNK = 65_536

    def __init__(self, sampler: Any, rng: np.random.Generator) -> None:
        self._sampler = sampler
        self._rng = rng
        self._buffer = np.empty(0)
        self._pos = 0

    def _fill(self, k: int) -> None:
        have = len(self._buffer) - self._pos
        if have >= k:
            return
        chunks = [self._buffer[self._pos:]]
        while have < k:
            chunk = np.asarray(self._sampler(self._rng, self.CHUNK), dtype=float)
            chunks.append(chunk)
            have += len(chunk)
        self._buffer = np.concatenate(chunks)
        self._pos = 0

    def peek(self, k: int) -> np.ndarray:
        """The next k samples, without consuming them."""
        self._fill(k)
        return self._buffer[self._pos:self._pos + k]

    def advance(self, k: int) -> None:
        self._pos += k

    def take(self, k: int) -> np.ndarray:
        out = self.peek(k).copy()
        self.advance(k)
        return out

    def next(self) -> float:
        if self._pos >= len(self._buffer):
            self._fill(1)
        value = float(self._buffer[self._pos])
        self._pos += 1
        return value


@dataclass(frozen=True)
class TokenCount:
    """A distribution of whole token counts per request (at least 1), as a `token_count` field describes it."""

    dist: str
    mean: int = 0
    low: int = 0
    high: int = 0
    median: int = 0
    p99: int = 0
    samples: tuple[int, ...] = ()

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.dist == "constant":
            return np.full(n, self.mean, dtype=np.int64)
        if self.dist == "uniform":
            return rng.integers(self.low, self.high, n, endpoint=True, dtype=np.int64)
        if self.dist == "lognormal":
            sigma = math.log(self.p99 / self.median) / Z99
            drawn = np.rint(self.median * np.exp(sigma * rng.standard_normal(n)))
            return np.maximum(drawn, 1).astype(np.int64)
        return np.asarray(self.samples, dtype=np.int64)[rng.integers(0, len(self.samples), n)]


def token_count(spec: dict[str, Any]) -> TokenCount:
    """Build a TokenCount from a validated `token_count` object."""
    return TokenCount(**{key: (tuple(value) if key == "samples" else value) for key, value in spec.items()})
