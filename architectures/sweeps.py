"""Load curves and right-sizing: many runs fanned out to the workers as Celery chords."""

from __future__ import annotations

import copy
import random
import uuid
from typing import Any

from celery import chord, group
from django.db import transaction
from django.utils import timezone

from architectures.broadcast import board_broadcast
from architectures.instance_choice import instance_trials, llm_servers, mean_tokens
from architectures.models import Board, SimulationRun, Sweep
from architectures.payloads import sweep_finished_event
from architectures.replica_search import NEAR_SATURATION, ReplicaSearch, results_summary
from architectures.runs import InvalidRunRequest, check_run_length, create_run, run_task_options
from architectures.selectors import board_get, sweep_get, sweep_runs
from simulator.catalog import KINDS

AUTO_FRACTIONS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5)
MAX_LEVELS = 20
DEFAULT_SWEEP_REQUESTS = 40_000
DROP_RATE_LIMIT = 0.001  # a level that drops more than 0.1% of requests does not meet the SLO


def _requirement(document: dict[str, Any], name: str) -> float | None:
    return (document.get("requirements") or {}).get(name)


def target_rps_of(document: dict[str, Any]) -> float:
    return float(_requirement(document, "peak_rps") or (document.get("traffic") or {}).get("rps") or 100.0)


def with_rps(document: dict[str, Any], rps: float) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    doc.setdefault("traffic", {})["rps"] = rps
    return doc


def _launch(sweep: Sweep, runs: list[SimulationRun], callback) -> None:
    """After commit, run every run in parallel and call `callback` once all have ended."""
    from architectures.tasks import run_simulation

    header = group(run_simulation.si(str(run.id)).set(task_id=str(run.id), **run_task_options()) for run in runs)
    transaction.on_commit(lambda: chord(header)(callback))


def _run_summary(run: SimulationRun, nodes: list[str] = ()) -> dict[str, Any]:
    """The run's verdict inputs; with `nodes`, also those nodes' load and price (what the replica search learns from)."""
    summary = {"run_id": str(run.id), "status": run.status, "error": run.error,
               **results_summary(run.results or {}, list(nodes))}
    if not nodes:
        del summary["load"]
    return summary


def meets_slo(summary: dict[str, Any], p99_target: float | None) -> bool:
    if summary["status"] != SimulationRun.SUCCEEDED or summary["p99_ms"] is None:
        return False
    if summary["drop_rate"] is not None and summary["drop_rate"] > DROP_RATE_LIMIT:
        return False
    if summary.get("unstable") or summary.get("overloaded"):  # a queue that grows without bound fails, even off the request path
        return False
    return p99_target is None or summary["p99_ms"] <= p99_target


# ---- load curve ---------------------------------------------------------------------------------

def load_levels(levels: list[float] | str, target_rps: float) -> list[float]:
    if levels == "auto":
        return [round(target_rps * fraction, 3) for fraction in AUTO_FRACTIONS]
    if not isinstance(levels, list) or not 1 <= len(levels) <= MAX_LEVELS:
        raise InvalidRunRequest("levels", f'must be "auto" or a list of 1 to {MAX_LEVELS} request rates')
    for index, level in enumerate(levels):
        if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level <= 1_000_000:
            raise InvalidRunRequest(f"levels[{index}]", "must be a request rate greater than 0 and at most 1000000")
    return sorted(float(level) for level in levels)


def sweep_start(*, board_id: str | uuid.UUID, levels: list[float] | str = "auto",
                requests: int | None = None, seed: int | None = None, client: str = "") -> Sweep:
    """Queue one run per load level; the sweep's result is computed when all have ended."""
    from architectures.tasks import sweep_finish

    requests = requests or DEFAULT_SWEEP_REQUESTS
    with transaction.atomic():
        board = board_get(board_id=board_id)
        document = board.document
        target = target_rps_of(document)
        rates = load_levels(levels, target)
        check_run_length(document, requests, None)
        sweep = Sweep.objects.create(board=board, kind=Sweep.LOAD_CURVE, params={
            "levels": rates, "requests": requests, "target_rps": target,
            "p99_slo_ms": _requirement(document, "p99_ms")})
        runs = [create_run(board=board, document=with_rps(document, rate), seed=seed, requests=requests,
                           duration_s=None, client=client, sweep=sweep, label=f"{rate:g} req/s")
                for rate in rates]
        _launch(sweep, runs, sweep_finish.si(str(sweep.id)))
    return sweep


def sweep_finish(*, sweep_id: str | uuid.UUID) -> Sweep:
    """Collect a load curve's runs into points and the highest rate meeting the SLO."""
    sweep = sweep_get(sweep_id=sweep_id)
    slo = sweep.params.get("p99_slo_ms")
    points = []
    for run in sweep_runs(sweep=sweep):
        summary = _run_summary(run)
        points.append({"rps": run.document["traffic"]["rps"], **summary, "meets_slo": meets_slo(summary, slo)})
    points.sort(key=lambda point: point["rps"])
    passing = [point["rps"] for point in points if point["meets_slo"]]
    result = {"points": points, "p99_slo_ms": slo, "target_rps": sweep.params.get("target_rps"),
              "max_rps_meeting_slo": max(passing) if passing else None}
    _close(sweep, Sweep.SUCCEEDED, result=result)
    return sweep


def _close(sweep: Sweep, status: str, *, result: dict | None = None, error: str = "") -> None:
    changed = Sweep.objects.filter(pk=sweep.pk, status=Sweep.RUNNING).update(
        status=status, result=result, error=error, finished_at=timezone.now())
    if changed:
        sweep.refresh_from_db()
        board_broadcast(sweep.board_id, sweep_finished_event(sweep))


# ---- right-sizing -------------------------------------------------------------------------------

def sizable_nodes(document: dict[str, Any]) -> dict[str, int]:
    """Request-path nodes whose replica count can change, with their current count."""
    sizes = {}
    for node in document.get("nodes", []):
        kind = KINDS[node["kind"]]
        field = kind.field("replicas")
        if kind.request_path and field is not None and (node.get("config") or {}).get("instance") != "managed" \
                and kind.defaults().get("instance") != "managed":
            sizes[node["id"]] = int((node.get("config") or {}).get("replicas", field.default))
    return sizes


def apply_replicas(document: dict[str, Any], replicas: dict[str, int], rps: float,
                   instances: dict[str, str] | None = None) -> dict[str, Any]:
    doc = with_rps(document, rps)
    for node in doc["nodes"]:
        if node["id"] in replicas:
            node.setdefault("config", {})["replicas"] = replicas[node["id"]]
        if instances and node["id"] in instances:
            node.setdefault("config", {})["instance"] = instances[node["id"]]
    return doc


def rightsize_start(*, board_id: str | uuid.UUID, target_rps: float | None = None, p99_ms: float | None = None,
                    requests: int | None = None, seed: int | None = None, client: str = "") -> Sweep:
    """Search for the cheapest machines and replica counts meeting the P99 SLO at the target rate, in rounds of parallel runs."""
    with transaction.atomic():
        board = board_get(board_id=board_id)
        document = board.document
        p99_ms = p99_ms or _requirement(document, "p99_ms")
        if not p99_ms:
            raise InvalidRunRequest("p99_ms", "set a P99 SLO (here or in the board's requirements) to right-size against")
        start = sizable_nodes(document)
        if not start:
            raise InvalidRunRequest("document.nodes", "the board has no component whose replicas can change")
        requests = requests or DEFAULT_SWEEP_REQUESTS
        check_run_length(document, requests, None)
        llms = llm_servers(document, start)
        instances = {node: config["instance"] for node, config in llms.items()}
        sweep = Sweep.objects.create(board=board, kind=Sweep.RIGHTSIZE, params={
            "target_rps": target_rps or target_rps_of(document), "p99_slo_ms": p99_ms, "requests": requests,
            # One seed for every run: the same requests meet every configuration, so one with more
            # replicas never waits longer, which the search's proof of cheapest relies on.
            "seed": seed if seed is not None else random.SystemRandom().randrange(2**31),
            "client": client, "start": start, "start_instances": instances, "document": document,
            "state": {"round": 0, "candidates": [], "instances": dict(instances),
                      "replica_start": start, "instance_trials": [], "search": None}})
        if llms:
            _next_round(sweep, board, _instance_round(document, start, llms, instances, sweep.params["target_rps"]))
        else:
            _start_search(sweep, board, start)
    return sweep


def _start_search(sweep: Sweep, board: Board, start: dict[str, int]) -> Sweep:
    search = ReplicaSearch(start=dict(start))
    first = search.first_round()
    sweep.params["state"]["search"] = search.to_state()
    return _continue(sweep, board, [{"replicas": replicas} for replicas in first])


def _instance_round(document: dict[str, Any], start: dict[str, int], llms: dict[str, dict[str, Any]],
                    instances: dict[str, str], rps: float) -> list[dict[str, Any]]:
    """One LLM server's machine changed at a time, at replica counts for comparable load; the rest as they are."""
    prompt, output = mean_tokens(document, "prompt_tokens"), mean_tokens(document, "output_tokens")
    candidates = []
    for node, config in llms.items():
        for instance, count in instance_trials(config, start[node], rps, prompt, output):
            candidates.append({"replicas": {**start, node: count}, "instances": {**instances, node: instance},
                               "varies": node})
    return candidates


def _next_round(sweep: Sweep, board: Board, candidates: list[dict[str, Any]]) -> None:
    from architectures.tasks import rightsize_step

    params = sweep.params
    state = params["state"]
    runs, entries = [], []
    for candidate in candidates:
        replicas = candidate["replicas"]
        instances = candidate.get("instances", state.get("instances", {}))
        run = create_run(board=board, document=apply_replicas(params["document"], replicas, params["target_rps"], instances),
                         seed=params["seed"], requests=params["requests"], duration_s=None,
                         client=params["client"], sweep=sweep,
                         label=f"round {state['round']}: " + ", ".join(
                             f"{k}={instances[k]} x {v}" if k in instances else f"{k}={v}" for k, v in replicas.items()))
        runs.append(run)
        entries.append({"run_id": str(run.id), "replicas": replicas, "instances": instances,
                        "varies": candidate.get("varies")})
    state["candidates"] = entries
    Sweep.objects.filter(pk=sweep.pk).update(params=params)
    _launch(sweep, runs, rightsize_step.si(str(sweep.id)))


def _judge(sweep: Sweep, nodes: list[str]) -> list[tuple[dict[str, Any], dict[str, Any], bool]]:
    """The round's configurations as (entry, summary, meets the SLO)."""
    params = sweep.params
    state = params["state"]
    runs = {str(run.id): run for run in sweep_runs(sweep=sweep, run_ids=[c["run_id"] for c in state["candidates"]],
                                                   with_documents=False)}
    judged = []
    for entry in state["candidates"]:
        summary = _run_summary(runs[entry["run_id"]], nodes)
        entry["summary"] = {k: v for k, v in summary.items() if k != "load"}
        judged.append((entry, summary, meets_slo(summary, params["p99_slo_ms"])))
    return judged


def _cheapest_passing(judged: list) -> list[dict[str, Any]]:
    """The passing entries, cheapest first (monthly cost, then total replicas)."""
    passing = [(entry, summary) for entry, summary, passed in judged if passed]
    passing.sort(key=lambda item: (item[1]["monthly_usd"] or 0.0, sum(item[0]["replicas"].values())))
    return [entry for entry, _ in passing]


def _choose_instances(sweep: Sweep, judged: list) -> None:
    """Fix each LLM server's machine to its cheapest passing trial (its own machine if none passed)."""
    state = sweep.params["state"]
    replica_start = dict(sweep.params["start"])
    cheapest = _cheapest_passing(judged)
    for node in state["instances"]:
        passing = [entry for entry in cheapest if entry["varies"] == node]
        if passing:
            state["instances"][node] = passing[0]["instances"][node]
            replica_start[node] = passing[0]["replicas"][node]
    state["replica_start"] = replica_start
    state["instance_trials"] = [
        {"node": entry["varies"], "instance": entry["instances"][entry["varies"]],
         "replicas": entry["replicas"][entry["varies"]], "p99_ms": entry["summary"]["p99_ms"],
         "monthly_usd": entry["summary"]["monthly_usd"], "run_id": entry["run_id"],
         "meets_slo": meets_slo(entry["summary"], sweep.params["p99_slo_ms"])}
        for entry in state["candidates"]]


@transaction.atomic
def rightsize_step(*, sweep_id: str | uuid.UUID) -> Sweep:
    """Judge the round that just ended, then start the next one or report the cheapest configuration."""
    sweep = Sweep.objects.select_for_update().get(pk=uuid.UUID(str(sweep_id)))
    if sweep.status != Sweep.RUNNING:
        return sweep
    params, board = sweep.params, sweep.board
    state = params["state"]
    state["round"] += 1
    state.setdefault("instances", {})
    nodes = list(params["start"])
    judged = _judge(sweep, nodes)
    if state["candidates"] and state["candidates"][0].get("varies"):
        # The machines are chosen; the replica search starts from the chosen ones' counts.
        _choose_instances(sweep, judged)
        return _start_search(sweep, board, state["replica_start"])
    if not state.get("search"):  # queued by an older version of this search: start it over from here
        return _start_search(sweep, board, state.get("replica_start", params["start"]))
    search = ReplicaSearch.from_state(state["search"])
    for entry, summary, passed in judged:
        search.record(entry["replicas"], summary, passed, run_id=entry["run_id"])
    candidates = search.next_round()
    state["search"] = search.to_state()
    if candidates:
        return _continue(sweep, board, [{"replicas": replicas} for replicas in candidates])
    if search.best is None:
        _close(sweep, Sweep.FAILED, error=(
            f"No configuration tried meets the P99 SLO of {params['p99_slo_ms']} ms at {params['target_rps']} req/s, "
            f"and in those that fail no component is {NEAR_SATURATION:.0%} busy or more, so more replicas would not "
            "help: something other than replica counts (a slow model, a long edge latency, a timeout) sets the "
            "latency. The run's bottleneck line says where its P99 is spent."))
        return sweep
    best = search.tried[search.best]
    summary = best["summary"]
    _close(sweep, Sweep.SUCCEEDED, result={
        "replicas": best["replicas"], "instances": state["instances"], "p99_ms": summary["p99_ms"],
        "monthly_usd": summary["monthly_usd"], "run_id": best["run_id"],
        "drop_rate": summary["drop_rate"], "throughput_rps": summary["throughput_rps"],
        "target_rps": params["target_rps"], "p99_slo_ms": params["p99_slo_ms"], "start": params["start"],
        "start_instances": params.get("start_instances", {}), "instance_trials": state.get("instance_trials", []),
        "rounds": state["round"], "configurations_tried": search.evaluations, "proven_cheapest": search.proven,
        "floor": search.floor,
        "near_saturation": NEAR_SATURATION})
    return sweep


def _continue(sweep: Sweep, board: Board, candidates: list[dict[str, Any]]) -> Sweep:
    Sweep.objects.filter(pk=sweep.pk).update(params=sweep.params)
    _next_round(sweep, board, candidates)
    return sweep
