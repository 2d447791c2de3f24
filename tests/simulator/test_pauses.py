"""A node's `pauses`: its servers stop now and then and resume where they were (steal, stop-the-world GC)."""

from __future__ import annotations

import math

import pytest

from simulator import run
from simulator.errors import SimulationError
from simulator.runner import MAX_PAUSES
from simulator.validation import validate_document
from tests.simulator.boards import board, client, const, edge, node

REQUESTS = 20_000


def paused(every_ms: float | None, mean_ms: float = 10.0, *, service_ms: float = 1.0, rps: float = 10.0,
           arrival: str = "constant") -> dict:
    """A client calling one server of constant service; `every_ms` None: a server that never pauses."""
    server = node("server", "model_server", service=const(service_ms))
    if every_ms is not None:
        server["config"]["pauses"] = {"every_ms": every_ms, "mean_ms": mean_ms}
    return board([client(), server], [edge("client", "server")], rps=rps, arrival=arrival)


def test_a_request_waits_out_a_pause_and_is_stretched_by_one():
    # One request every 100 ms, 1 ms of work; pauses of mean m = 10 ms with running stretches of
    # mean g = 90 ms between them (both exponential), so the server is paused a share q = m / (g + m)
    # = 0.1 of the time. A request arriving in a pause (probability q) waits its residual, Exp(m)
    # as lengths are memoryless; one arriving outside is hit during its work with probability
    # 1 - exp(-w / g). So: delayed share 1 - (1 - q) exp(-w / g) = 0.1099; mean latency
    # w + q m + (w / g) m = 2.111 ms; P(latency > w + x) = (q + (1 - q)(1 - exp(-w / g))) exp(-x / m),
    # whose P99 is w + m ln(0.1099 / 0.01) = 24.97 ms. Tolerances, four standard errors of 20,000
    # requests: the share 4 sqrt(p (1 - p) / n) = 0.0088; the mean 4 sd / sqrt(n) with the sd
    # about sqrt(q 2 m^2) = 4.5 ms: 0.13 ms; the P99 4 sqrt(0.99 x 0.01 / n) / f, f = 0.01 / m: 2.8 ms.
    w, m, g = 1.0, 10.0, 90.0
    q = m / (g + m)
    hit = 1 - (1 - q) * math.exp(-w / g)
    results = run(paused(g, m), seed=4, requests=REQUESTS)
    assert results.latency_ms.mean == pytest.approx(w + q * m + w / g * m, abs=0.13)
    assert results.latency_ms.p99 == pytest.approx(w + m * math.log(hit / 0.01), abs=2.8)
    assert results.latency_ms.p50 == pytest.approx(w)
    delayed = run(paused(g, m), seed=4, requests=REQUESTS, engine="event")
    assert delayed.latency_ms == results.latency_ms  # boards with pauses always run on the event loop


def test_a_queue_builds_behind_a_pause_and_drains():
    # Work conservation: over a long run the server's capacity is its running share, so at 80% of
    # the unpaused capacity a server paused 25% of the time (m = 25, g = 75) is overloaded and one
    # paused 5% (m = 5, g = 95) is not; its latency still rises well above the pause-free run's.
    calm = run(paused(None, service_ms=2.0, rps=400, arrival="poisson"), seed=2, requests=REQUESTS)
    light = run(paused(95.0, 5.0, service_ms=2.0, rps=400, arrival="poisson"), seed=2, requests=REQUESTS)
    heavy = run(paused(75.0, 25.0, service_ms=2.0, rps=400, arrival="poisson"), seed=2, requests=REQUESTS)
    def unstable(results):
        return [w["node"] for w in results.warnings if w["code"] == "unstable"]

    assert unstable(calm) == unstable(light) == [] and light.latency_ms.p99 > 2 * calm.latency_ms.p99
    assert unstable(heavy) == ["server"]
    assert heavy.nodes["server"].capacity_rps == pytest.approx(500 * 0.75)
    assert heavy.latency_ms.p50 > 50 * calm.latency_ms.p50  # its queue grew all run long


def test_rare_pauses_change_nothing_and_the_fast_path_refuses_them():
    plain = run(paused(None), seed=3, requests=2_000)
    rare = run(paused(3_600_000.0, 0.001), seed=3, requests=2_000)
    assert rare.latency_ms.p50 == plain.latency_ms.p50 == pytest.approx(1.0)
    with pytest.raises(SimulationError, match="pauses"):
        run(paused(90.0), seed=3, requests=2_000, engine="fast")


def test_too_many_pauses_for_the_run_are_refused_at_the_field():
    doc = paused(1.0, 0.001, rps=1.0)
    doc["traffic"]["duration_s"] = 2 * MAX_PAUSES / 1000
    doc["traffic"]["arrival"] = "poisson"
    with pytest.raises(SimulationError) as caught:
        run(doc, seed=1)
    assert caught.value.path == "nodes[1].config.pauses.every_ms"
    assert "more than the limit" in str(caught.value)


@pytest.mark.parametrize("pauses,path,message", [
    ({"every_ms": 0.5}, "nodes[1].config.pauses.every_ms", "from 1 to 3600000"),
    ({"mean_ms": 0}, "nodes[1].config.pauses.mean_ms", "greater than 0"),
    ({"often": True}, "nodes[1].config.pauses.often", "not a field"),
    ("sometimes", "nodes[1].config.pauses", "must be an object"),
])
def test_bad_pauses_are_refused_at_their_path(pauses, path, message):
    doc = paused(None)
    doc["nodes"][1]["config"]["pauses"] = pauses
    issues = {issue.path: issue.message for issue in validate_document(doc)}
    assert message in issues.get(path, ""), issues
