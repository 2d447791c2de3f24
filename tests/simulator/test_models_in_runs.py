"""Model servers in whole runs: latencies follow the measured profile, results carry models and cost."""

from __future__ import annotations

import numpy as np
import pytest

from simulator import run
from simulator.models import get_batch_timer
from tests.simulator.boards import chain, node


def _uncontended(model: str, instance: str) -> dict:
    # 200 replicas at 20 req/s: with service times of a few ms the chance that a request finds
    # all replicas busy is negligible, so a request's latency is exactly its one batch time.
    # Without the serving overhead a request's latency is its batch time as measured.
    server = node("ms", "model_server", servers=200, model=model, instance=instance, max_batch_size=1,
                  batch_overhead_ms=0, request_overhead_ms=0)
    client = {"id": "client", "kind": "client", "config": {}}
    return chain(client, server, rps=20.0)


@pytest.mark.parametrize(("model", "instance"), [("ranking_gbdt", "c6i.xlarge"), ("visual_knn_brute", "g5.xlarge")])
def test_uncontended_model_server_latencies_follow_its_profile(model: str, instance: str) -> None:
    timer = get_batch_timer(model, instance)
    measured = np.asarray(timer.profile["timings"]["1"]["samples_ms"]) * timer.factor
    results = run(_uncontended(model, instance), seed=7, requests=8000)
    # 8,000 draws from the measured samples: the sample P50 and P90 have a rank standard error of
    # sqrt(q (1 - q) / 8000) < 0.6 percentage points, so, read on the profile's own distribution,
    # each must sit within 3 points of its rank (below: share of samples strictly under it; above:
    # share at or under it, which handles the gaps of a tail of a few hundred samples).
    for q, value in ((0.5, results.latency_ms.p50), (0.9, results.latency_ms.p90)):
        assert np.mean(measured < value * (1 - 1e-9)) <= q + 0.03, (q, value)  # 1e-9: fate - arrival rounding
        assert np.mean(measured <= value * (1 + 1e-9)) >= q - 0.03, (q, value)
    assert results.latency_ms.max <= measured.max() * (1 + 1e-9)


def test_results_show_the_model_its_quality_timings_source_and_cost() -> None:
    document = _uncontended("ctr_logreg", "c6i.xlarge")
    document["requirements"] = {"monthly_budget_usd": 1000.0}
    data = run(document, seed=1, requests=2000).to_dict()
    model = data["nodes"]["ms"]["model"]
    assert model["model"] == "ctr_logreg" and model["quality"]["roc_auc"] > 0.7
    assert "measured" in model["timing_source"]
    # 200 x c6i.xlarge at $0.17/h x 730 h = $24,820 a month: over the $1,000 budget.
    assert data["cost"]["monthly_usd"] == pytest.approx(24_820.0)
    assert data["cost"]["by_node"]["ms"]["monthly_usd"] == pytest.approx(24_820.0)
    expected_per_million = 24_820.0 / (data["throughput_rps"] * 730 * 3600 / 1e6)
    assert data["cost"]["per_million_requests_usd"] == pytest.approx(expected_per_million)
    assert data["slo"]["monthly_budget_usd"] == {"target": 1000.0, "actual": pytest.approx(24_820.0), "passed": False}
