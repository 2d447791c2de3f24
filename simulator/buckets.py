"""Time buckets of a node's timeline: work counted in the bucket where it started, and time spans split across buckets.

Both engines fill a node's timeline with these rules, so they give the same figures. A piece of
work (a service, a batch) counts whole in the bucket it started in: buckets are a 120th of the
measured window and work lasts milliseconds, so splitting it at bucket edges would change
nothing a timeline shows. Replicas held are long spans and are split exactly.
"""

from __future__ import annotations

import math

from simulator.fifo import njit


@njit(cache=True, nogil=True, inline="always")
def count_into(row, lo, width, t, amount):  # pragma: no cover - compiled
    """Add `amount` to the bucket of time t in `row`, when t falls in the buckets (as bucket_sums does)."""
    if t >= lo:
        b = math.floor((t - lo) / width)
        if b < row.shape[0]:
            row[int(b)] += amount


@njit(cache=True, nogil=True)
def sums_into(row, lo, width, times, weights):  # pragma: no cover - compiled
    """count_into for every time of an array, with its weight (or 1 when weights is empty)."""
    weighted = weights.shape[0] == times.shape[0]
    for i in range(times.shape[0]):
        count_into(row, lo, width, times[i], weights[i] if weighted else 1.0)


@njit(cache=True, nogil=True)
def span_into(row, lo, width, start, end, weight):  # pragma: no cover - compiled
    """Add weight x the length of [start, end] that falls in each bucket of `row` (buckets from lo)."""
    count = row.shape[0]
    a = max(start, lo)
    b = min(end, lo + width * count)
    if b <= a:
        return
    first = int(math.floor((a - lo) / width))
    last = min(int(math.floor((b - lo) / width)), count - 1)
    for k in range(first, last + 1):
        piece = min(b, lo + (k + 1) * width) - max(a, lo + k * width)
        if piece > 0.0:
            row[k] += piece * weight
