"""Measure the stack: a closed-loop capacity, then open-loop levels read back into latencies and their parts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.fidelity.stack import GENERATOR_PRIORITY, HERE, ROOT, SHARED_CORE, ServerConfig, Stack

CLK_TCK = os.sysconf("SC_CLK_TCK")
LOOPBACK_MARGIN_S = 0.0002  # a request sent this long before a batch ended had surely reached the server
IDLE_GAP_S = 0.005  # a request sent this long after the model server's last batch ended found it idle


def thread_cpu_s(pid: int) -> dict[str, float]:
    """CPU seconds (user + system) of a process's threads from /proc: its main thread as "main",
    all others summed as "other"."""
    out: dict[str, float] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        name = "main" if int(tid) == pid else "other"
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / CLK_TCK
    return out


def _cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: after[name] - before.get(name, 0.0) for name in after}


def cpu_ticks() -> tuple[float, np.ndarray]:
    """(now, per core [busy, steal] in seconds since boot) from /proc/stat."""
    rows = []
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("cpu") and line[3:4].isdigit():
            values = [int(v) for v in line.split()[1:]]
            idle = values[3] + values[4]
            rows.append([(sum(values[:8]) - idle - values[7]) / CLK_TCK, values[7] / CLK_TCK])
    return time.monotonic(), np.array(rows)


def machine_share(before: tuple[float, np.ndarray], after: tuple[float, np.ndarray], ours_s: float) -> dict[str, float]:
    """How busy the machine was during a level: every core's busy and stolen share, and the share
    of all cores used by work other than this stack and its generator."""
    wall = after[0] - before[0]
    delta = after[1] - before[1]
    return {"busy": float(delta[:, 0].sum() / (wall * len(delta))),
            "steal": float(delta[:, 1].sum() / (wall * len(delta))),
            "others": float(max(0.0, delta[:, 0].sum() - ours_s) / (wall * len(delta)))}


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def _loadgen(stack: Stack, bodies: Path, out: Path, args: list[str]) -> dict[str, Any]:
    command = [sys.executable, str(HERE / "loadgen.py"), "--url", stack.entry_url, "--bodies", str(bodies),
               "--out", str(out), *args]
    # Real-time priority, above the stack's own processes: a send or a receive is never queued
    # behind other work on the core, so the generator's lateness stays small and its clock
    # readings are the moments things happened. It blocks in select() between requests.
    subprocess.run([*GENERATOR_PRIORITY, "taskset", "-c", SHARED_CORE, *command], cwd=ROOT, check=True)
    return json.loads(out.read_text())


P99_BLOCKS = 20  # runs of consecutive requests the measured P99's interval resamples
P99_DRAWS = 2000


@dataclass
class Level:
    """One open-loop level as measured: what the generator saw and what the servers stamped."""

    rps: float
    requests: int
    warmup: int  # the first requests, not counted
    latency_ms: np.ndarray  # receive - send, per counted request that was answered
    lateness_ms: np.ndarray  # send - scheduled, all requests
    throughput_rps: float
    errors: int
    unanswered: int
    answered: int  # every request answered with 200, warm-up included (the gateway logs each of them)
    parts_ms: dict[str, np.ndarray]  # per counted request
    batch_sizes: np.ndarray
    batch_gaps_ms: np.ndarray  # instance idle between a batch and the next one already waiting
    full_gaps_ms: np.ndarray  # the same between two batches of max_batch requests
    delay_overshoot_ms: np.ndarray  # batches run when the delay expired: how late after it
    predict_ms: dict[int, np.ndarray]  # predict wall time per batch, by batch size
    cpu_ms_per_request: dict[str, float]  # per process and thread
    generator: dict[str, Any]
    load_before: float
    load_after: float
    logged: int | None = None
    machine: dict[str, float] = field(default_factory=dict)  # busy, steal, others: shares of all cores
    # Per counted request (as parts_ms): sent when the model server had been idle IDLE_GAP_S or more,
    # so nothing of its latency outside predict was a wait behind another request.
    found_idle: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.latency_ms, q))

    @cached_property
    def p99_interval(self) -> tuple[float, float]:
        """A 95% interval of the measured P99: a bootstrap of P99_BLOCKS runs of consecutive requests (in
        send order), not of single requests, since slow requests come together and are not independent.
        (The simulator's `stats.p99_interval` takes batch means only from 10,000 latencies up, and
        below that assumes independence: a level's 5,400 would get the narrow interval.) Kept once
        drawn: the tables and the JSON record all show it."""
        chunks = np.array_split(self.latency_ms, P99_BLOCKS)
        picks = np.random.default_rng(0).integers(0, P99_BLOCKS, size=(P99_DRAWS, P99_BLOCKS))
        p99s = [np.percentile(np.concatenate([chunks[k] for k in pick]), 99) for pick in picks]
        low, high = np.percentile(p99s, [2.5, 97.5])
        return float(low), float(high)


def run_level(stack: Stack, bodies: Path, workdir: Path, *, rps: float, requests: int, seed: int,
              warmup: int) -> Level:
    """Send `requests` Poisson arrivals at `rps` and read back every latency and its parts."""
    return _measured(stack, bodies, workdir / f"level-{rps:.0f}.json",
                     ["--rps", str(rps), "--requests", str(requests), "--seed", str(seed)], rps=rps, warmup=warmup)


def saturate(stack: Stack, bodies: Path, workdir: Path, *, connections: int, duration_s: float,
             warmup_s: float = 1.0) -> Level:
    """`connections` clients sending back to back: the stack's capacity is the level's throughput,
    and the servers' stamps show what they do per request and per batch when never idle."""
    return _measured(stack, bodies, workdir / "capacity.json",
                     ["--closed", str(connections), "--duration-s", str(duration_s), "--warmup-s", str(warmup_s)],
                     rps=None, warmup=None)


def _measured(stack: Stack, bodies: Path, out: Path, args: list[str], *, rps: float | None,
              warmup: int | None) -> Level:
    if stack.gateway is not None:
        stack.reset_log()
    cpu_before = {p.name: thread_cpu_s(p.pid) for p in stack.processes}
    load_before = load_average()
    ticks_before = cpu_ticks()
    record = _loadgen(stack, bodies, out, args)
    load_after = load_average()
    ticks_after = cpu_ticks()
    cpu = {p.name: _cpu_delta(cpu_before[p.name], thread_cpu_s(p.pid)) for p in stack.processes}
    ours = sum(sum(threads.values()) for threads in cpu.values()) + record["cpu_s"]
    machine = machine_share(ticks_before, ticks_after, ours)
    logged = stack.logged_predictions() if stack.gateway is not None else None
    if rps is None:  # closed loop: the rate is what the stack carried
        rps, warmup = record["throughput_rps"], record["warmup"]
    return _read_level(record, stack.server, rps=rps, requests=len(record["sent"]), warmup=warmup, cpu=cpu,
                       load_before=load_before, load_after=load_after, logged=logged, machine=machine)


def _answers(record: dict[str, Any], warmup: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list, list]:
    """A generator record's statuses, which requests were answered, counted and both, the answers'
    bodies and each one's model server part."""
    status = np.array(record["status"])
    ok = status == 200
    counted = np.arange(len(status)) >= warmup
    bodies = [json.loads(b) if b and good else None for b, good in zip(record["bodies"], ok)]
    model = [(b["model"] if "model" in b else b) if b else None for b in bodies]
    return status, ok, counted, counted & ok, bodies, model


def found_idle_in(path: Path, warmup: int) -> np.ndarray:
    """`Level.found_idle` read again from a level's generator record (for levels measured before it)."""
    record = json.loads(path.read_text())
    _, _, _, use, _, model = _answers(record, warmup)
    return found_idle(_array(record["sent"]), model, use)


def found_idle(sent: np.ndarray, model: list, use: np.ndarray) -> np.ndarray:
    """Per used request, whether the model server's last batch before it was sent had ended
    IDLE_GAP_S or more before (so no batch was running and none had just run)."""
    index = np.flatnonzero(use)
    stamps = np.array([model[i]["t"] for i in index]).reshape(-1, 5)
    starts, order = np.unique(stamps[:, 2], return_index=True)
    ends = stamps[order, 3]
    before = np.searchsorted(starts, sent[index], side="left") - 1  # batches started before it was sent
    last_end = np.where(before >= 0, ends[np.maximum(before, 0)], -np.inf)
    return sent[index] - last_end >= IDLE_GAP_S


def _array(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _read_level(record: dict[str, Any], server: ServerConfig, *, rps: float, requests: int, warmup: int,
                cpu: dict[str, dict[str, float]], load_before: float, load_after: float,
                logged: int | None, machine: dict[str, float]) -> Level:
    scheduled, sent, received = _array(record["scheduled"]), _array(record["sent"]), _array(record["received"])
    status, ok, counted, use, bodies, model = _answers(record, warmup)
    parts = _parts(sent, received, bodies, model, use)
    window = sent[counted]
    done = received[use]
    span = np.nanmax(window) - np.nanmin(window)
    finished = np.sum((done >= np.nanmin(window)) & (done <= np.nanmax(window)))
    batch_sizes, gaps, full_gaps, overshoot, predict = _batches([m for m, u in zip(model, ok) if u], sent[ok], server)
    n = int(counted.sum())
    cpu_ms = {f"{proc}/{thread}": seconds * 1000.0 / len(sent) for proc, threads in cpu.items()
              for thread, seconds in threads.items() if seconds > 0}
    return Level(rps=rps, requests=requests, warmup=warmup, latency_ms=(received[use] - sent[use]) * 1000.0,
                 lateness_ms=(sent - scheduled) * 1000.0, throughput_rps=float(finished / span) if span > 0 else 0.0,
                 errors=int(np.sum(counted & ~ok & (status != 0))), unanswered=int(np.sum(counted & (status == 0))), answered=int(ok.sum()),
                 parts_ms=parts, batch_sizes=batch_sizes, batch_gaps_ms=gaps, full_gaps_ms=full_gaps,
                 delay_overshoot_ms=overshoot,
                 predict_ms=predict,
                 cpu_ms_per_request=cpu_ms, generator={k: record[k] for k in (
                     "connections_opened", "lost_connections", "max_outstanding", "cpu_s")},
                 load_before=load_before, load_after=load_after, logged=logged, machine=machine,
                 found_idle=found_idle(sent, model, use))


def _parts(sent: np.ndarray, received: np.ndarray, bodies: list, model: list, use: np.ndarray) -> dict[str, np.ndarray]:
    """Each counted request's latency split at the times the servers stamped (ms)."""
    index = np.flatnonzero(use)
    m = np.array([model[i]["t"] for i in index])  # in, queued, start, end, out
    parts = {
        "queue": m[:, 2] - m[:, 1],  # queued until its batch started (includes the hand-off to the instance)
        "predict": m[:, 3] - m[:, 2],
        "model_server_other": (m[:, 1] - m[:, 0]) + (m[:, 4] - m[:, 3]),
    }
    if "model" in (bodies[index[0]] if len(index) else {}):
        g = np.array([bodies[i]["t"] for i in index])  # in, fetched, scored, out
        parts["gateway_feature_read"] = g[:, 1] - g[:, 0]
        parts["gateway_to_model_and_back"] = (m[:, 0] - g[:, 1]) + (g[:, 2] - m[:, 4])
        parts["gateway_other"] = g[:, 3] - g[:, 2]
        parts["client_hops"] = (g[:, 0] - sent[index]) + (received[index] - g[:, 3])
    else:
        parts["client_hops"] = (m[:, 0] - sent[index]) + (received[index] - m[:, 4])
    return {name: values * 1000.0 for name, values in parts.items()}


def _batches(model: list[dict[str, Any]], sent: np.ndarray, server: ServerConfig
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[int, np.ndarray]]:
    """Batch sizes, the instance's idle gaps between back-to-back batches, how late batches run
    when their delay expired, and predict ms by batch size, from the stamped answers.

    A batch is back to back with the one before when its oldest request had been sent before that
    one ended (with a margin for the trip over loopback): the server went from one to the other
    without idling, so the gap is all its own work.
    """
    seen: dict[float, tuple[float, float, int, float, float]] = {}
    for answer, sent_at in zip(model, sent):
        _, queued, start, end, _ = answer["t"]
        old = seen.get(start)
        seen[start] = (start, end, answer["batch"], min(old[3], queued) if old else queued,
                       min(old[4], sent_at) if old else sent_at)
    batches = sorted(seen.values())
    sizes = np.array([b[2] for b in batches])
    pairs = [(cur, nxt) for cur, nxt in zip(batches, batches[1:]) if nxt[4] < cur[1] - LOOPBACK_MARGIN_S]
    gaps = np.array([nxt[0] - cur[1] for cur, nxt in pairs]) * 1000.0
    full = np.array([nxt[0] - cur[1] for cur, nxt in pairs
                     if cur[2] == nxt[2] == server.max_batch]) * 1000.0
    delay = server.delay_ms / 1000.0
    overshoot = np.array([nxt[0] - (nxt[3] + delay) for cur, nxt in zip(batches, batches[1:])
                          if delay > 0 and nxt[2] < server.max_batch and cur[1] < nxt[3] + delay]) * 1000.0
    predict: dict[int, list[float]] = {}
    for start, end, size, _, _ in batches:
        predict.setdefault(size, []).append((end - start) * 1000.0)
    return sizes, gaps, full, overshoot, {size: np.array(values) for size, values in sorted(predict.items())}
