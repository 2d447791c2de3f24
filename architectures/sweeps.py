"""Load curves and right-sizing: many runs fanned out to the workers as Celery chords."""

from __future__ import annotations

import copy
import math
import uuid
from typing import Any

from celery import chord, group
from django.db import transaction
from django.utils import timezone

from architectures.broadcast import board_broadcast
from architectures.instance_choice import instance_trials, llm_servers, mean_tokens
from architectures.models import Board, SimulationRun, Sweep
from architectures.payloads import sweep_finished_event
from architectures.runs import InvalidRunRequest, check_run_length, create_run, run_task_options
from architectures.selectors import board_get, sweep_get, sweep_runs
from simulator.catalog import KINDS

AUTO_FRACTIONS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5)
MAX_LEVELS = 20
DEFAULT_SWEEP_REQUESTS = 40_000
DROP_RATE_LIMIT = 0.001  # a level that drops more than 0.1% of requests does not meet the SLO
RIGHTSIZE_FACTORS = (0.5, 1.0, 2.0, 4.0)
RIGHTSIZE_ESCALATION = (8.0, 16.0)
RIGHTSIZE_MAX_ROUNDS = 8


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


def _run_summary(run: SimulationRun) -> dict[str, Any]:
    results = run.results or {}
    counts = results.get("requests") or {}
    arrived = counts.get("arrived") or 0
    return {
        "run_id": str(run.id), "status": run.status, "error": run.error,
        "p99_ms": (results.get("latency_ms") or {}).get("p99"),
        "throughput_rps": results.get("throughput_rps"),
        "drop_rate": (counts.get("dropped", 0) / arrived) if arrived else None,
        "monthly_usd": (results.get("cost") or {}).get("monthly_usd"),
        "unstable": [w.get("node") for w in results.get("warnings") or [] if w.get("code") == "unstable"],
        # Most measured requests still unanswered at the end: its P99 is that of the few that completed.
        "overloaded": any(w.get("code") == "overloaded" for w in results.get("warnings") or []),
    }


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


def scaled(replicas: dict[str, int], factor: float) -> dict[str, int]:
    return {node: min(1000, max(1, math.ceil(count * factor))) for node, count in replicas.items()}


def shrink_candidates(replicas: dict[str, int]) -> list[dict[str, int]]:
    """One candidate per node: that node with about a quarter fewer replicas (at least one fewer)."""
    candidates = []
    for node, count in replicas.items():
        if count > 1:
            candidates.append({**replicas, node: count - max(1, count // 4)})
    return candidates


def merged_shrinks(best: dict[str, int], passing: list[dict[str, int]]) -> dict[str, int] | None:
    """Every one-node shrink of `best` that met the SLO, applied together (None unless two or more did).

    Each shrink candidate differs from the best in one node, so taking the fewest replicas of each
    node over the passing ones applies them all: a board of many components (a RAG pipeline in front
    of an LLM) then sheds its spare replicas in a few rounds instead of one component per round.
    """
    shrunk = [replicas for replicas in passing if replicas != best]
    if len(shrunk) < 2:
        return None
    return {node: min(replicas[node] for replicas in shrunk) for node in best}


def _cost_key(summary: dict[str, Any], replicas: dict[str, int]) -> tuple[float, int]:
    # Monthly cost when the simulator prices the board; the replica total breaks ties (and stands
    # in for cost when no price is known).
    return (summary["monthly_usd"] if summary["monthly_usd"] is not None else 0.0, sum(replicas.values()))


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
            "seed": seed, "client": client, "start": start, "start_instances": instances, "document": document,
            "state": {"round": 0, "first": 0, "best": None, "candidates": [], "instances": dict(instances),
                      "replica_start": start, "instance_trials": []}})
        if llms:
            _next_round(sweep, board, _instance_round(document, start, llms, instances, sweep.params["target_rps"]))
        else:
            _next_round(sweep, board, [{"replicas": scaled(start, factor)} for factor in RIGHTSIZE_FACTORS])
    return sweep


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


def _judge(sweep: Sweep) -> list[tuple[tuple[float, int], dict[str, Any], dict[str, Any]]]:
    """The round's configurations that met the SLO, cheapest first, as (key, entry, summary)."""
    params = sweep.params
    state = params["state"]
    runs = {str(run.id): run for run in sweep_runs(sweep=sweep, run_ids=[c["run_id"] for c in state["candidates"]],
                                                   with_documents=False)}
    judged = []
    for entry in state["candidates"]:
        summary = _run_summary(runs[entry["run_id"]])
        entry["summary"] = summary
        if meets_slo(summary, params["p99_slo_ms"]):
            judged.append((_cost_key(summary, entry["replicas"]), entry, summary))
    judged.sort(key=lambda item: item[0])
    return judged


def _choose_instances(sweep: Sweep, judged: list) -> None:
    """Fix each LLM server's machine to its cheapest passing trial (its own machine if none passed)."""
    state = sweep.params["state"]
    replica_start = dict(sweep.params["start"])
    for node in state["instances"]:
        passing = [entry for _, entry, _ in judged if entry["varies"] == node]
        if passing:  # judged is cheapest first
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
    """Judge the round that just ended, then start the next one or report the best configuration."""
    sweep = Sweep.objects.select_for_update().get(pk=uuid.UUID(str(sweep_id)))
    if sweep.status != Sweep.RUNNING:
        return sweep
    params, board = sweep.params, sweep.board
    state = params["state"]
    judged = _judge(sweep)
    state["round"] += 1
    # A search queued before machines were chosen has neither key: it searches replicas from its start.
    state.setdefault("first", 0)
    state.setdefault("instances", {})
    state.setdefault("replica_start", params["start"])
    if state["candidates"] and state["candidates"][0].get("varies"):
        # The machines are chosen; the replica search starts from the chosen ones' counts.
        _choose_instances(sweep, judged)
        state["first"] = state["round"]
        return _continue(sweep, board, [{"replicas": scaled(state["replica_start"], f)} for f in RIGHTSIZE_FACTORS])
    previous_best = state["best"]["replicas"] if state["best"] else None
    best = state["best"]
    if judged and (best is None or judged[0][0] < tuple(best["key"])):
        key, entry, summary = judged[0]
        state["best"] = best = {"key": list(key), "replicas": entry["replicas"], "summary": summary}
        improved = True
    else:
        improved = False
    first_replica_round = state["round"] == state["first"] + 1
    if best is None:
        if first_replica_round:
            return _continue(sweep, board, [{"replicas": scaled(state["replica_start"], f)} for f in RIGHTSIZE_ESCALATION])
        _close(sweep, Sweep.FAILED, error=(
            f"No configuration up to {RIGHTSIZE_ESCALATION[-1]:g}x the current replicas meets the P99 SLO of "
            f"{params['p99_slo_ms']} ms at {params['target_rps']} req/s: something other than replica counts "
            "(a slow model, a long edge latency, a timeout) sets the latency."))
        return sweep
    candidates = shrink_candidates(best["replicas"])
    if previous_best is not None:  # this round shrank the previous best one node at a time
        merged = merged_shrinks(previous_best, [entry["replicas"] for _, entry, _ in judged])
        if merged is not None and merged != best["replicas"] and merged not in candidates:
            candidates.insert(0, merged)
    if (improved or first_replica_round) and candidates and state["round"] - state["first"] < RIGHTSIZE_MAX_ROUNDS:
        return _continue(sweep, board, [{"replicas": replicas} for replicas in candidates])
    _close(sweep, Sweep.SUCCEEDED, result={
        "replicas": best["replicas"], "instances": state["instances"], "p99_ms": best["summary"]["p99_ms"],
        "monthly_usd": best["summary"]["monthly_usd"], "run_id": best["summary"]["run_id"],
        "drop_rate": best["summary"]["drop_rate"], "throughput_rps": best["summary"]["throughput_rps"],
        "target_rps": params["target_rps"], "p99_slo_ms": params["p99_slo_ms"], "start": params["start"],
        "start_instances": params.get("start_instances", {}), "instance_trials": state.get("instance_trials", []),
        "rounds": state["round"]})
    return sweep


def _continue(sweep: Sweep, board: Board, candidates: list[dict[str, Any]]) -> Sweep:
    Sweep.objects.filter(pk=sweep.pk).update(params=sweep.params)
    _next_round(sweep, board, candidates)
    return sweep
