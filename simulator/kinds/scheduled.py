"""Kinds off the request path: retraining, batch jobs and monitors, priced by what their schedules run."""

from __future__ import annotations

from typing import Any

from simulator.fields import ENUM, INTEGER, NUMBER, Field, instance, replicas, schedule
from simulator.instances import cpu_factor, hourly_price
from simulator.kinds.base import ScheduledKind
from simulator.kinds.registry import register
from simulator.models.names import DEFAULT_MODEL, MODEL_IDS
from simulator.pricing import Usage, entry, machines, scheduled_runs, unpriced


@register
class TrainingPipeline(ScheduledKind):
    """Retrains a catalog model: each run lasts the model's measured training time for its rows."""

    name = "training_pipeline"
    title = "Training pipeline"
    group = "training"
    description = "Retrains the model on a schedule from logged data; off the request path."
    browser_icon = "training_pipeline"
    diagram_icon = ("diagrams.onprem.workflow", "Kubeflow")
    fields = (
        instance("c6i.4xlarge"), schedule(24.0),
        Field("rows_per_run", INTEGER, 1_000_000, "Training rows read by each run.", unit="rows",
              minimum=1, maximum=10_000_000_000),
        Field("model", ENUM, DEFAULT_MODEL, "Model the pipeline trains; its measured training time "
              "per row sets the run length.", choices=MODEL_IDS, nullable=True),
    )

    def price(self, config: dict[str, Any], usage: Usage) -> dict[str, Any]:
        from simulator.models import training_seconds_per_10k  # the catalog needs scikit-learn: loaded on use

        per_10k = training_seconds_per_10k(config.get("model") or "")
        if per_10k is None:
            return unpriced("no measured training time for this model: not priced")
        run_s = per_10k * config["rows_per_run"] / 10_000 * cpu_factor(config["instance"])
        priced = scheduled_runs(config, run_s, 1, "training runs", output="model")
        priced["basis"] = (f"{priced['runs_per_month']:.1f} runs x {run_s:.1f} s ({per_10k:.3g} s measured per "
                           f"10,000 rows x {config['rows_per_run']:,} rows) x ${hourly_price(config['instance']):g}/h")
        return priced


@register
class BatchJob(ScheduledKind):
    """Scheduled batch work at a stated throughput per replica."""

    name = "batch_job"
    title = "Batch job"
    group = "training"
    description = "Scheduled batch work such as precomputing predictions or features; off the request path."
    browser_icon = "batch_job"
    diagram_icon = ("diagrams.onprem.analytics", "Spark")
    fields = (
        replicas(1), instance("c6i.2xlarge"), schedule(24.0),
        Field("rows_per_run", INTEGER, 10_000_000, "Rows processed by each run.", unit="rows",
              minimum=1, maximum=10_000_000_000),
        Field("rows_per_second", NUMBER, 50_000.0, "Throughput of one replica.", unit="rows/s",
              minimum=1, maximum=1e9),
    )

    def price(self, config: dict[str, Any], usage: Usage) -> dict[str, Any]:
        count = config["replicas"]
        run_s = config["rows_per_run"] / (config["rows_per_second"] * count)
        priced = scheduled_runs(config, run_s, count, "batch runs", output="outputs")
        priced["basis"] = (f"{priced['runs_per_month']:.1f} runs x {run_s:.0f} s x {count} x "
                           f"${hourly_price(config['instance']):g}/h")
        return priced


@register
class Monitor(ScheduledKind):
    """One always-on instance that samples the board's log stores and runs checks."""

    name = "monitor"
    title = "Monitor"
    group = "training"
    description = "Watches predictions and data for drift and errors; samples logged traffic."
    browser_icon = "monitor"
    diagram_icon = ("diagrams.onprem.monitoring", "Prometheus")
    fields = (
        instance("c6i.large"),
        Field("sampling_rate", NUMBER, 0.01, "Share of requests the monitor inspects.",
              unit="fraction", minimum=0, maximum=1),
        Field("checks_per_hour", NUMBER, 60.0, "Drift and quality checks run per hour.", unit="1/h",
              minimum=0, maximum=3600),
    )

    def price(self, config: dict[str, Any], usage: Usage) -> dict[str, Any]:
        priced = entry([], machines(config, 1))
        reads = config["sampling_rate"] * usage.board_log_rps
        priced.update(added_logging_read_rps=reads, checks_per_hour=config["checks_per_hour"])
        priced["basis"] += (f"; reads {reads:.1f} rec/s from logging ({config['sampling_rate']:g} of "
                            f"{usage.board_log_rps:.1f} rec/s), {config['checks_per_hour']:g} checks/h")
        return priced
