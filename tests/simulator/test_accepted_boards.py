"""Whatever validation accepts, the simulator runs: random boards drawn from the whole catalog.

Nodes of every kind get random subsets of their fields with values drawn from (and sometimes
just outside) each field's documented range; connections, traffic and requirements are random
too. A document validation refuses must be refused with located issues; one it accepts must
simulate without an exception, account for every request and give finite costs.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simulator
from simulator.catalog import (
    ARRIVAL_PROCESSES, BOOLEAN, ENUM, INTEGER, KINDS, NUMBER, REQUIREMENT_FIELDS, SERVICE_TIME, STRING,
    TRAFFIC_FIELDS, Field, blank_document,
)
from simulator.validation import validate_document

# Small enough that a run takes milliseconds, big enough to exercise batching and queues.
REQUESTS = 1_500


def _number(f: Field, integer: bool):
    low = f.minimum if f.minimum is not None else 0
    high = f.maximum if f.maximum is not None else 10_000
    # Keep generated loads modest: huge replica counts or rates only slow the run down.
    high = min(high, low + (64 if integer else 5_000))
    inside = st.integers(int(math.ceil(low)), int(high)) if integer else st.floats(low, high, allow_nan=False)
    outside = st.sampled_from([low - 1, high + 1, -1, 0])  # sometimes refused, which is tested too
    return st.one_of(inside, inside, inside, outside)


service_times = st.one_of(
    st.builds(lambda m: {"dist": "exponential", "mean_ms": m}, st.floats(0.01, 50)),
    st.builds(lambda m: {"dist": "constant", "mean_ms": m}, st.floats(0.0, 50)),
    st.builds(lambda a, b: {"dist": "lognormal", "median_ms": a, "p99_ms": a + b}, st.floats(0.01, 20), st.floats(0.0, 60)),
    st.builds(lambda s: {"dist": "empirical", "samples_ms": s}, st.lists(st.floats(0.0, 40), min_size=1, max_size=20)),
    st.just({"dist": "exponential"}),  # incomplete: must be refused at its path
)


def value_of(f: Field):
    if f.type == INTEGER:
        base = _number(f, True)
    elif f.type == NUMBER:
        base = _number(f, False)
    elif f.type == ENUM:
        base = st.sampled_from(list(f.choices) + ["not-a-choice"])
    elif f.type == BOOLEAN:
        base = st.booleans()
    elif f.type == SERVICE_TIME:
        base = service_times
    elif f.type == STRING:
        base = st.text(max_size=20)
    else:
        base = st.just(f.default)
    return st.one_of(st.none(), base) if f.nullable else base


@st.composite
def configs(draw, fields):
    chosen = draw(st.lists(st.sampled_from(fields), unique_by=lambda f: f.name, max_size=len(fields))) if fields else []
    return {f.name: draw(value_of(f)) for f in chosen}


@st.composite
def documents(draw):
    document = blank_document("random")
    count = draw(st.integers(1, 7))
    kinds = draw(st.lists(st.sampled_from(list(KINDS)), min_size=count, max_size=count))
    document["nodes"] = [{"id": f"n{i}", "kind": kind, "label": kind, "position": {"x": 200 * i, "y": 0},
                          "config": draw(configs(list(KINDS[kind].fields)))} for i, kind in enumerate(kinds)]
    pairs = st.tuples(st.integers(0, count - 1), st.integers(0, count - 1), st.sampled_from(["sync", "async"]),
                      st.sampled_from([0.0, 0.5, 3.0]))
    document["edges"] = [{"id": f"e{j}", "source": f"n{a}", "target": f"n{b}", "mode": mode, "latency_ms": latency}
                         for j, (a, b, mode, latency) in enumerate(draw(st.lists(pairs, max_size=10)))]
    traffic = draw(configs(list(TRAFFIC_FIELDS)))
    traffic.setdefault("rps", draw(st.sampled_from([50, 300, 1000])))
    traffic["arrival"] = traffic.get("arrival") if traffic.get("arrival") in ARRIVAL_PROCESSES else draw(st.sampled_from(ARRIVAL_PROCESSES))
    document["traffic"].update(traffic)
    document["requirements"].update(draw(configs(list(REQUIREMENT_FIELDS))))
    return document


@settings(max_examples=120, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(document=documents(), seed=st.integers(0, 2**32))
def test_every_board_validation_accepts_simulates_and_every_refusal_is_located(document, seed):
    issues = validate_document(document)
    if issues:
        assert all(issue.path and issue.message for issue in issues)
        return
    try:
        simulator.check_run_length(document, requests=REQUESTS, duration_s=None)
    except simulator.SimulationError as refusal:
        # Refused before it starts (the API answers 400 at this path); run() must refuse it too.
        assert refusal.path
        with pytest.raises(simulator.SimulationError):
            simulator.run(document, seed=seed, requests=REQUESTS)
        return
    try:
        results = simulator.run(document, seed=seed, requests=REQUESTS)
    except simulator.SimulationError as error:
        # Random arrivals can still end the run just before the expected time; nothing else may fail.
        assert error.path in ("traffic.warmup_s", "traffic.rps"), error
        return
    counts = results.requests
    assert counts.arrived == counts.completed + counts.dropped + counts.in_flight
    assert counts.dropped == sum(results.drops.values())
    assert results.throughput_rps >= 0
    if counts.completed:
        assert 0 <= results.latency_ms.p50 <= results.latency_ms.p99 <= results.latency_ms.max
    for stats in results.nodes.values():
        assert stats.utilization >= 0 and stats.dropped >= 0
    if results.cost is not None:
        assert math.isfinite(results.cost["monthly_usd"]) and results.cost["monthly_usd"] >= 0
    record = results.to_dict()
    assert set(record) >= {"latency_ms", "requests", "nodes", "slo", "cost", "timeseries", "histogram"}


@settings(max_examples=1, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_the_generator_reaches_valid_and_runnable_boards(data):
    """Guards the test above: enough generated boards must be valid and runnable, or it would test little."""
    drawn = [data.draw(documents()) for _ in range(60)]
    valid = [document for document in drawn if not validate_document(document)]
    runnable = []
    for document in valid:
        try:
            simulator.check_run_length(document, requests=REQUESTS, duration_s=None)
            runnable.append(document)
        except simulator.SimulationError:
            pass
    assert len(valid) >= 15 and len(runnable) >= 8, f"{len(valid)} valid and {len(runnable)} runnable of 60"
