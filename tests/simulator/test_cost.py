"""Cost arithmetic against hand-computed examples, and the price table's sources."""

from __future__ import annotations

from typing import Any

import pytest

from simulator import cost
from simulator.instances import INSTANCE_TYPES, price_table
from simulator.validation import with_defaults


def _document(*nodes: dict[str, Any], budget: float | None = None) -> dict[str, Any]:
    return with_defaults({"schema_version": 1, "title": "t", "traffic": {"rps": 100},
                          "requirements": {"monthly_budget_usd": budget}, "nodes": list(nodes), "edges": []})


def _node(node_id: str, kind: str, **config: Any) -> dict[str, Any]:
    return {"id": node_id, "kind": kind, "config": config}


def test_every_price_has_a_source_and_a_date_and_every_instance_type_a_price() -> None:
    table = price_table()
    assert set(table["instances"]) == set(INSTANCE_TYPES)
    for entry in [*table["instances"].values(), *table["services"].values()]:
        assert entry["source"] and entry["as_of"]
    assert table["speed"]["gpu_speedup"]["estimate"] is True


def test_machine_cost_is_replicas_times_hourly_price_times_730_hours() -> None:
    result = cost.board_cost(_document(_node("gw", "gateway", replicas=2, instance="c6i.large")), {"gw": 50.0}, 50.0)
    assert result["by_node"]["gw"]["monthly_usd"] == pytest.approx(2 * 0.085 * 730)  # 124.10


def test_log_storage_is_rate_times_record_size_times_retention() -> None:
    # 1,000 rec/s x 1,024 B x 7 days x 86,400 s = 619.3152 GB at $0.10/GB-month = $61.93152,
    # plus 3 brokers x $0.21/h x 730 h = $459.90.
    document = _document(_node("log", "logging", replicas=3, record_bytes=1024, retention_days=7))
    entry = cost.board_cost(document, {"log": 1000.0}, 1000.0)["by_node"]["log"]
    assert cost.log_storage_gb(1000.0, 1024, 7) == pytest.approx(619.3152)
    assert entry["monthly_usd"] == pytest.approx(61.93152 + 459.9)


def test_training_runs_cost_their_measured_duration(monkeypatch: pytest.MonkeyPatch) -> None:
    # 36 s per 10,000 rows x 1,000,000 rows = 3,600 s = 1 h per run; every 24 h gives 730 / 24
    # = 30.4167 runs a month at $0.68/h (c6i.4xlarge) = $20.6833; a model is at most 24 + 1 h old.
    monkeypatch.setattr("simulator.models.serving.training_seconds_per_10k", lambda model_id: 36.0)
    document = _document(_node("train", "training_pipeline", instance="c6i.4xlarge", schedule_hours=24,
                               rows_per_run=1_000_000, model="ctr_logreg"))
    entry = cost.board_cost(document, {}, 0.0)["by_node"]["train"]
    assert entry["run_hours"] == pytest.approx(1.0)
    assert entry["monthly_usd"] == pytest.approx(730 / 24 * 0.68)
    assert entry["max_staleness_hours"] == pytest.approx(25.0)


def test_batch_job_and_monitor_and_object_storage_costs() -> None:
    document = _document(
        # 10,000,000 rows / 50,000 rows/s = 200 s per run, 730 / 24 runs, 1 x $0.34/h.
        _node("batch", "batch_job", replicas=1, instance="c6i.2xlarge", schedule_hours=24,
              rows_per_run=10_000_000, rows_per_second=50_000),
        # One always-on c6i.large: $0.085 x 730 = $62.05; it reads 1% of the 500 rec/s log.
        _node("mon", "monitor", instance="c6i.large", sampling_rate=0.01),
        _node("log", "logging", replicas=1, record_bytes=1000, retention_days=1),
        # 100 GB x $0.023 = $2.30, plus 10 GET/s x 2,628,000 s / 1,000 x $0.0004 = $10.512.
        _node("s3", "object_storage", storage_gb=100),
    )
    by_node = cost.board_cost(document, {"log": 500.0, "s3": 10.0}, 500.0)["by_node"]
    assert by_node["batch"]["monthly_usd"] == pytest.approx(730 / 24 * 200 / 3600 * 0.34)
    assert by_node["mon"]["monthly_usd"] == pytest.approx(62.05)
    assert by_node["mon"]["added_logging_read_rps"] == pytest.approx(5.0)
    assert by_node["s3"]["monthly_usd"] == pytest.approx(2.3 + 10.512)


def test_total_and_cost_per_million_requests() -> None:
    # Two c6i.xlarge at $0.17/h: $248.20 a month; 100 req/s x 2,628,000 s = 262.8 M requests,
    # so $0.94444 per million.
    document = _document(_node("client", "client"), _node("ms", "model_server", replicas=2, instance="c6i.xlarge"))
    result = cost.board_cost(document, {"ms": 100.0}, 100.0)
    assert result["monthly_usd"] == pytest.approx(248.2)
    assert result["per_million_requests_usd"] == pytest.approx(248.2 / 262.8)
    assert result["by_node"]["client"]["monthly_usd"] == 0.0


def test_budget_verdict_passes_at_or_under_budget_and_fails_over_it() -> None:
    assert cost.budget_verdict({"monthly_budget_usd": 100.0}, 100.0)["passed"] is True
    assert cost.budget_verdict({"monthly_budget_usd": 100.0}, 100.01)["passed"] is False
    assert cost.budget_verdict({"monthly_budget_usd": None}, 5.0) is None
