"""Arrival processes: times (ms) at which requests enter the board.

poisson: exponential gaps at `rps`. constant: one request every 1/rps seconds, the first at 0.
bursty: a Poisson process whose rate alternates between `burst_factor * rps` for `burst_on_s`
and a quiet rate for `burst_off_s`; the quiet rate is set so the long-run mean is `rps`, or 0
when the bursts alone already exceed it. diurnal: a Poisson process whose rate follows a cosine
from `diurnal_min_fraction * rps` at time 0 up to the peak `rps` half a period later.
Modulated processes map a unit-rate Poisson process through the inverse of the cumulative
rate, which is exact and vectorised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

DIURNAL_GRID = 4096  # points per period for the cumulative-rate inverse of the cosine


@dataclass(frozen=True)
class RateProfile:
    """Cumulative arrival count Lambda(t) over one period, as a piecewise-linear table in ms."""

    period_ms: float
    t_ms: np.ndarray
    cumulative: np.ndarray  # expected arrivals by t_ms

    @property
    def per_period(self) -> float:
        return float(self.cumulative[-1])

    def expected(self, horizon_ms: float) -> float:
        cycles, rest = divmod(horizon_ms, self.period_ms)
        return cycles * self.per_period + float(np.interp(rest, self.t_ms, self.cumulative))

    def invert(self, unit_times: np.ndarray) -> np.ndarray:
        cycles = np.floor(unit_times / self.per_period)
        rest = unit_times - cycles * self.per_period
        k = np.clip(np.searchsorted(self.cumulative, rest, side="right") - 1, 0, len(self.t_ms) - 2)
        span = self.cumulative[k + 1] - self.cumulative[k]
        frac = np.divide(rest - self.cumulative[k], span, out=np.zeros_like(rest), where=span > 0)
        return cycles * self.period_ms + self.t_ms[k] + frac * (self.t_ms[k + 1] - self.t_ms[k])


def bursty_rates(traffic: dict[str, Any]) -> tuple[float, float]:
    """(burst rate, quiet rate) in req/s keeping the mean at rps when possible."""
    rps, on, off = traffic["rps"], traffic["burst_on_s"], traffic["burst_off_s"]
    high = rps * traffic["burst_factor"]
    low = max(0.0, (rps * (on + off) - high * on) / off) if off > 0 else 0.0
    return high, low


def rate_profile(traffic: dict[str, Any], run_ms: float) -> RateProfile | None:
    """The profile of a modulated process, or None for poisson and constant."""
    rps = traffic["rps"] / 1000.0  # per ms
    if traffic["arrival"] == "bursty":
        high, low = (r / 1000.0 for r in bursty_rates(traffic))
        on, off = traffic["burst_on_s"] * 1000.0, traffic["burst_off_s"] * 1000.0
        t = np.array([0.0, on, on + off]) if off > 0 else np.array([0.0, on])
        cum = np.array([0.0, high * on, high * on + low * off])[:len(t)]
        return RateProfile(float(t[-1]), t, cum)
    if traffic["arrival"] == "diurnal":
        period = (traffic["diurnal_period_s"] or 0) * 1000.0 or run_ms
        low = traffic["diurnal_min_fraction"]
        t = np.linspace(0.0, period, DIURNAL_GRID + 1)
        cum = rps * (low * t + (1 - low) * (t / 2 - period / (4 * math.pi) * np.sin(2 * math.pi * t / period)))
        return RateProfile(period, t, cum)
    return None


def mean_rate_rps(traffic: dict[str, Any], run_ms: float) -> float:
    profile = rate_profile(traffic, run_ms)
    if profile is None:
        return float(traffic["rps"])
    return profile.per_period / profile.period_ms * 1000.0


def expected_requests(traffic: dict[str, Any], horizon_ms: float) -> float:
    profile = rate_profile(traffic, horizon_ms)
    if profile is None:
        return traffic["rps"] * horizon_ms / 1000.0
    return profile.expected(horizon_ms)


def arrival_times(traffic: dict[str, Any], rng: np.random.Generator, *, count: int | None = None,
                  horizon_ms: float | None = None, run_ms: float | None = None) -> np.ndarray:
    """Sorted arrival times in ms: `count` of them, or all before `horizon_ms`.

    `run_ms` is the expected run length, the default diurnal period.
    """
    run_ms = run_ms or horizon_ms or 1.0
    if traffic["arrival"] == "constant":
        gap = 1000.0 / traffic["rps"]
        n = count if count is not None else int(math.ceil(horizon_ms / gap))
        times = np.arange(n, dtype=float) * gap
        return times if count is not None else times[times < horizon_ms]
    profile = rate_profile(traffic, run_ms)
    if count is not None:
        return _to_times(_unit_process(rng, count), traffic, profile)
    expected = expected_requests(traffic, horizon_ms)
    # Draw a few standard deviations more than expected, then cut at the horizon.
    unit = _unit_process(rng, int(expected + 6 * math.sqrt(expected) + 16))
    while _to_times(unit[-1:].copy(), traffic, profile)[0] < horizon_ms:
        more = _unit_process(rng, int(math.sqrt(expected) + 16))
        unit = np.concatenate([unit, unit[-1] + more])
    times = _to_times(unit, traffic, profile)
    return times[:np.searchsorted(times, horizon_ms)]


def _unit_process(rng: np.random.Generator, count: int) -> np.ndarray:
    """Event times of a unit-rate Poisson process (built in place: one array of the count)."""
    unit = rng.exponential(1.0, count)
    return np.cumsum(unit, out=unit)


def _to_times(unit: np.ndarray, traffic: dict[str, Any], profile: RateProfile | None) -> np.ndarray:
    """Map unit-rate times to ms at the traffic's rate, overwriting `unit`, a million at a time."""
    if profile is None:
        unit *= 1000.0 / traffic["rps"]
        return unit
    for lo in range(0, len(unit), 1 << 20):
        unit[lo:lo + (1 << 20)] = profile.invert(unit[lo:lo + (1 << 20)])
    return unit
