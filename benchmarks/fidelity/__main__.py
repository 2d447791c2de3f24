"""`benchmarks/fidelity/run`: measure the reference stack, simulate the same boards, print the comparison.

For each configuration (FIFO or batching model server, alone or behind the gateway) the model's
catalog profile is measured, the stack started, its capacity measured with a short closed loop,
then open-loop Poisson levels are sent at shares of a capacity: by default, for a FIFO model
server (alone or behind the gateway), the open-loop one from its very-low-load level
(`open_loop_capacity`), else the closed loop's. The closed loops of the FIFO
and batching servers alone, a level at very low load on the FIFO server alone and on the first
gateway stack calibrate the parts' times and hops (`calibrate.py`). A second, validation model
then runs the same configurations with that calibration unchanged. Every level is simulated
with several seeds under each variant (`boards.py`); the table goes to stdout and to
`<out>/table.md`, every figure to `<out>/results.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from benchmarks.fidelity import calibrate, hiccups, report
from benchmarks.fidelity.boards import VARIANTS, Configuration, document, simulate
from benchmarks.fidelity.measure import P99_BLOCKS, Level, found_idle_in, load_average, run_level, saturate
from benchmarks.fidelity.stack import HERE, MODEL_CORE, PRIORITIES, ROOT, SHARED_CORE, ServerConfig, Stack

PROFILE_ENV = "SIMULATOR_PROFILE_DIR"
FEATURE_ROWS = 2000
CONFIG_NAMES = ("fifo", "batch", "gw-fifo", "gw-batch")


def configurations(model: str, max_batch: int, delay_ms: float) -> list[Configuration]:
    batching = f"batching ({max_batch}, {delay_ms:g} ms)"
    return [
        Configuration("fifo", "FIFO server alone", False, 1, 0.0, model),
        Configuration("batch", f"{batching} server alone", False, max_batch, delay_ms, model),
        Configuration("gw-fifo", "FIFO behind gateway", True, 1, 0.0, model),
        Configuration("gw-batch", f"{batching} behind gateway", True, max_batch, delay_ms, model),
    ]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="benchmarks/fidelity/run", description=__doc__.splitlines()[0])
    p.add_argument("--model", default="ctr_gbdt", help="catalog model the server runs (a dense tabular one)")
    p.add_argument("--validation-model", default="ranking_gbdt",
                   help="a second catalog model run with the first one's calibration ('' for none)")
    p.add_argument("--configs", default=",".join(CONFIG_NAMES),
                   help="comma-separated, of: " + ", ".join(CONFIG_NAMES)
                        + " (fifo and batch always run their calibration)")
    p.add_argument("--loads", default="0.3,0.5,0.7,0.85", help="shares of each configuration's measured capacity")
    p.add_argument("--requests", type=int, default=6000, help="requests per level (the first tenth is warm-up)")
    p.add_argument("--calibration-load", type=float, default=0.1)
    p.add_argument("--calibration-requests", type=int, default=2000)
    p.add_argument("--max-batch", type=int, default=8)
    p.add_argument("--delay-ms", type=float, default=2.0)
    p.add_argument("--capacity-s", type=float, default=5.0, help="closed-loop seconds for the capacity")
    p.add_argument("--capacity", choices=("open", "closed"), default="open",
                   help="what the load shares are of: for a FIFO model server, open: 1 / (its predict at very "
                        "low load + its own work between two predicts), the lower of that and the closed loop's; "
                        "closed: the closed loop's throughput (which ran predict 25-40%% faster here, never "
                        "idle). A batching stack always uses its closed loop's")
    p.add_argument("--seeds", type=int, default=5, help="simulator seeds per level (1..N)")
    p.add_argument("--sim-requests", type=int, default=40_000, help="simulated requests per seed")
    p.add_argument("--profile", choices=("measure", "reference"), default="measure",
                   help="measure the model's catalog profile on this machine before each configuration "
                        "(`python -m simulator profile`), or use the committed reference profile")
    p.add_argument("--priority", choices=tuple(PRIORITIES), default="rt",
                   help="the stack's scheduling (see stack.py): real-time, nice -10 or plain; the load "
                        "generator always runs as real-time")
    p.add_argument("--variants", default=",".join(v.name for v in VARIANTS))
    p.add_argument("--out", type=lambda text: Path(text).resolve(), default=ROOT / "var" / "fidelity")
    p.add_argument("--no-after-calls", action="store_true",
                   help="simulate the gateway with all of its work before its calls (the boards before "
                        "after_calls_share), for a before/after comparison")
    p.add_argument("--resimulate", action="store_true",
                   help="measure nothing: calibrate and simulate again from the measurements a previous run "
                        "left in <out>/measured.pickle (to change the boards without re-measuring)")
    p.add_argument("--pause-s", type=float, default=30.0,
                   help="seconds the machine's pauses are measured on each core before the stack starts "
                        "(`hiccups.py`; 0: not measured, no `served+pauses` variant)")
    p.add_argument("--pauses-json", type=Path,
                   help="with --resimulate, for a run measured before its pauses were: the pauses of each core "
                        "from `python -m benchmarks.fidelity.hiccups --json`, as {\"0\": ..., \"1\": ...}")
    p.add_argument("--quick", action="store_true",
                   help="a short smoke run: the calibration, then FIFO alone and batching behind the gateway at "
                        "one level, no validation model")
    return p


def _quick(args: argparse.Namespace) -> None:
    args.configs, args.loads, args.validation_model = "fifo,gw-batch", "0.5", ""
    args.requests, args.calibration_requests, args.calibration_load = 300, 120, 0.3
    args.capacity_s, args.seeds, args.sim_requests, args.pause_s = 1.5, 2, 4000, 3.0


def use_profile(folder: Path) -> None:
    """Point the simulator at a profile folder and drop the timers it has read."""
    os.environ[PROFILE_ENV] = str(folder)
    from simulator.models import serving

    serving.reset_cache()


THROTTLE_STALL_MS = 25.0  # above the size's median: the throttle stops the loop for up to 50 ms


def catalog_profile(model: str, folder: Path, source: str, priority: str, *, served: bool = False) -> dict:
    """The model's catalog profile the simulator will use: measured now on this machine by the
    project's own command (on the model server's core, at its priority) into `folder`, less the
    real-time throttle's stalls (`drop_throttle_stalls`), or the committed reference set (an empty
    folder). `served` times it as a server sees the model (`--as-served`)."""
    if source == "measure":
        from simulator.models.store import machine_dir

        env = {**os.environ, PROFILE_ENV: str(folder),
               "PYTHONPATH": os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(ROOT)]))}
        how = ["--as-served", "--dir", str(machine_dir(folder))] if served else []
        # Run from this folder so that `-m simulator` is found through PYTHONPATH, like the servers.
        subprocess.run([*PRIORITIES[priority], "taskset", "-c", MODEL_CORE, sys.executable, "-m", "simulator",
                        "profile", "--models", model, "--force", *how], cwd=HERE, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if priority == "rt":
            drop_throttle_stalls(folder, model)
    use_profile(folder)
    from simulator.models.store import load_profile

    return load_profile(model)[0]


def drop_throttle_stalls(folder: Path, model: str) -> None:
    """Remove from a profile measured at real-time priority the samples the kernel's throttle
    stretched, and say how many in the profile ("throttle_stalls_removed").

    The profiler is a tight loop that keeps its core busy, and the kernel stops a real-time
    process that has run 950 ms of a second for the other 50 ms (sched_rt_runtime_us). Each such
    stop lands in one sample, 50-60 ms against a 3-6 ms median: one or two of about 80 per batch
    size, a tail the model server below its capacity never has (it is not busy 95% of a second).
    A batching board drew them for 1-2% of its batches, so its P99 came out at 55 ms against 19
    measured (ranking_gbdt, 30% load, the run of 2026-12-01 14:35). A plain process is not
    stopped this way, but on a loaded machine other work interrupts it for as long (at nice -20
    the profile kept 78-232 ms samples), so real-time it is, without those samples.
    """
    from simulator.models.profiling import summarise
    from simulator.models.store import machine_dir, read_profile, save_profile

    directory = machine_dir(folder)
    profile = read_profile(directory, model)
    removed = 0
    for size, timing in profile["timings"].items():
        samples = np.asarray(timing["samples_ms"], dtype=float)
        kept = samples[samples < np.median(samples) + THROTTLE_STALL_MS]
        removed += len(samples) - len(kept)
        profile["timings"][size] = summarise(kept)
    profile["throttle_stalls_removed"] = removed
    save_profile(profile, directory)


@dataclass
class Measured:
    """One configuration as run: its profile, capacity, closed loop and levels."""

    config: Configuration
    profile_dir: Path
    profile: dict
    saturated: Level
    served_profile_dir: Path | None = None  # the profile timed as served (`served` variant), when measured
    low: Level | None = None  # the very-low-load calibration level, on the stacks that have one
    rows: list[report.Row] = field(default_factory=list)
    clean: bool = False
    processes: list[dict] = field(default_factory=list)
    capacity_rps: float | None = None  # what the load shares were of (None: the closed loop's, older runs)
    capacity_source: str = "closed loop"


@dataclass
class Run:
    args: argparse.Namespace
    features: dict[str, list[list[float]]] = field(default_factory=dict)
    measured: list[Measured] = field(default_factory=list)
    cal: calibrate.Calibration = field(default_factory=calibrate.Calibration)
    command: list[str] = field(default_factory=lambda: sys.argv[1:])  # the measuring run's options
    load_end: float | None = None  # the load average once the measurements were done
    no_after_calls: bool = False  # this invocation's --no-after-calls (not the measuring run's)
    pauses: dict[str, dict] = field(default_factory=dict)  # per core ("0", "1"): hiccups.measure's figures
    pauses_source: str = "measured just before the first stack started"

    @property
    def rows(self) -> list[report.Row]:
        return [row for m in self.measured for row in m.rows]


def measure_configuration(run: Run, config: Configuration, loads: list[float], *, calibrating: bool) -> Measured:
    """Profile, start the stack, measure its capacity (and calibrate), run the levels, stop it."""
    args = run.args
    key = f"{config.model}-{config.name}"
    profile_dir = args.out / "profiles" / key if args.profile == "measure" else args.out / "no-profiles"
    served_dir = args.out / "profiles" / f"{key}-as-served" if args.profile == "measure" else None
    if served_dir is not None:
        catalog_profile(config.model, served_dir, args.profile, args.priority, served=True)
    profile = catalog_profile(config.model, profile_dir, args.profile, args.priority)
    if config.model not in run.features:
        from simulator.models.registry import Workshop

        rows = Workshop().model(config.model).batch(FEATURE_ROWS, 0)
        run.features[config.model] = np.asarray(rows, dtype=float).tolist()
    features = run.features[config.model]
    workdir = args.out / "run" / key
    workdir.mkdir(parents=True, exist_ok=True)
    bodies = workdir / "bodies.json"
    bodies.write_text(json.dumps([{"id": k} if config.gateway else {"id": k, "features": row}
                                  for k, row in enumerate(features)]))
    server = ServerConfig(config.model, config.max_batch, config.delay_ms)
    with Stack(workdir, server, gateway=config.gateway, priority=args.priority) as stack:
        stack.start(features)
        saturated = saturate(stack, bodies, workdir, connections=max(16, 4 * config.max_batch),
                             duration_s=args.capacity_s, warmup_s=min(1.0, args.capacity_s / 3))
        done = Measured(config, profile_dir, profile, saturated, served_profile_dir=served_dir)
        capacity = saturated.rps
        print(f"{config.model}, {config.title}: capacity {capacity:.0f} req/s "
              f"(load average {load_average():.1f})", file=sys.stderr)
        first_gateway = config.gateway and not any(m.low is not None and m.config.gateway for m in run.measured)
        # Every model's FIFO server at very low load gives its `samples` variant; only the
        # calibrating model's levels there and behind the first gateway calibrate anything.
        if config.name == "fifo" or (calibrating and first_gateway):
            done.low = run_level(stack, bodies, workdir, rps=args.calibration_load * capacity,
                                 requests=args.calibration_requests, seed=100,
                                 warmup=args.calibration_requests // 10)
        if args.capacity == "open" and config.max_batch == 1:
            low = done.low or next((m.low for m in run.measured if m.config.model == config.model
                                    and m.config.name == "fifo" and m.low is not None), None)
            if low is not None:
                opened = open_loop_capacity(low, done.saturated if done.low is not None else
                                            next(m.saturated for m in run.measured if m.low is low))
                if opened < capacity:
                    capacity = opened
                    done.capacity_source = "open loop"
                print(f"  open-loop capacity {opened:.0f} req/s; levels of {capacity:.0f}", file=sys.stderr)
        done.capacity_rps = capacity
        for k, load in enumerate(loads):
            level = run_level(stack, bodies, workdir, rps=load * capacity, requests=args.requests, seed=1 + k,
                              warmup=args.requests // 10)
            print(f"  {load * 100:.0f}%: {level.rps:.0f} req/s, P50 {level.percentile(50):.2f} ms, "
                  f"P99 {level.percentile(99):.2f} ms (load average {level.load_after:.1f})", file=sys.stderr)
            done.rows.append(report.Row(config, load, level))
    done.clean = bool(stack.stopped_cleanly)
    done.processes = [{"name": p.name, "pid": p.pid, "port": p.port} for p in stack.processes]
    if not stack.stopped_cleanly:
        print(f"  not stopped cleanly: {', '.join(stack.leftovers)}", file=sys.stderr)
    return done


def open_loop_capacity(low: Level, saturated: Level) -> float:
    """A FIFO model server's capacity with idle moments between requests: 1 / (its mean predict at very
    low load, throttle stalls left out, + its own work between two back-to-back predicts in the
    closed loop). The closed loop's throughput itself is higher, since predict ran faster there."""
    predict = float(np.mean(calibrate.without_stalls(low.predict_ms[1])))
    between = calibrate.trimmed_mean(saturated.full_gaps_ms) if len(saturated.full_gaps_ms) else 0.0
    return 1000.0 / (predict + between)


def calibrate_from(measured: list[Measured], model: str, max_batch: int,
                   pauses: dict[str, dict] | None = None) -> calibrate.Calibration:
    """The calibration from the calibrating model's closed loops and very-low-load levels."""
    mine = [m for m in measured if m.config.model == model]
    by_name = {m.config.name: m for m in mine}
    cal = calibrate.with_fifo_low_load(calibrate.Calibration(), by_name["fifo"].low)
    cal = calibrate.with_pauses(cal, pauses)
    cal = calibrate.with_serving_overhead(cal, by_name["fifo"].saturated, by_name["batch"].saturated, max_batch)
    gateways = [m for m in mine if m.config.gateway]
    if gateways:
        cal = calibrate.with_gateway_busy(cal, max(gateways, key=lambda m: m.saturated.rps).saturated)
        cal = calibrate.with_gateway_hops(cal, next(m.low for m in gateways if m.low is not None))
    return cal


def server_samples(measured: list[Measured], model: str, profile: dict, max_batch: int) -> dict[int, np.ndarray] | None:
    """The `samples` variant's predict times for a model, from its own FIFO server at very low load."""
    low = next((m.low for m in measured if m.config.model == model and m.config.name == "fifo"), None)
    return None if low is None else calibrate.server_samples(low, profile, max_batch)


def simulate_rows(run: Run, measured: Measured, variants: tuple[str, ...]) -> None:
    args = run.args
    use_profile(measured.profile_dir)
    seeds = list(range(1, args.seeds + 1))
    for row in measured.rows:
        for name in variants:
            variant = next(v for v in VARIANTS if v.name == name)
            doc = document(row.config, variant, run.cal, model=row.config.model, rps=row.level.rps,
                           requests=args.sim_requests, warmup_fraction=0.1, after_calls=not run.no_after_calls)
            if variant.diagnostic:
                predict_ms = row.level.predict_ms
            elif variant.name == "samples":
                predict_ms = server_samples(run.measured, row.config.model, measured.profile, args.max_batch)
                if predict_ms is None:
                    continue
            else:
                predict_ms = None
            if variant.machine_pauses and run.cal.model_pause_mean_ms <= 0:
                continue  # pauses not measured in this run
            if variant.served_profile:
                if measured.served_profile_dir is None:  # the reference profile, or a run from before it
                    continue
                use_profile(measured.served_profile_dir)
            row.simulated[name] = simulate(doc, seeds, requests=args.sim_requests, predict_ms=predict_ms,
                                           ordered=name.startswith("ordered"))
            if variant.served_profile:
                use_profile(measured.profile_dir)


def _stop_on_signals() -> None:
    """Turn SIGTERM and SIGINT (which a shell makes background jobs ignore) into an exception, so
    that leaving the stacks' `with` blocks stops every server this run started."""
    def stop(signum: int, frame: object) -> None:
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    _stop_on_signals()
    if args.quick:
        _quick(args)
    wanted = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in wanted if c not in CONFIG_NAMES]
    if unknown:
        raise SystemExit(f"unknown configuration(s): {', '.join(unknown)}; known: {', '.join(CONFIG_NAMES)}")
    loads = [float(x) for x in args.loads.split(",")]
    variants = tuple(v.strip() for v in args.variants.split(",") if v.strip())
    args.out.mkdir(parents=True, exist_ok=True)
    if args.resimulate:
        run, started, load_start = _load_measured(args, variants)
    else:
        started = datetime.now(timezone.utc)
        load_start = load_average()
        run = Run(args)
        if args.pause_s > 0:
            run.pauses = measure_pauses(args.pause_s)
        measure(run, wanted, loads)
        run.load_end = load_average()
        _save_measured(run, started, load_start)
    run.no_after_calls = args.no_after_calls
    run.cal = calibrate_from(run.measured, run.args.model, run.args.max_batch, run.pauses)
    for measured in run.measured:
        simulate_rows(run, measured, variants)
    text = write_outputs(run, variants, started, load_start)
    print(text)
    return 0 if all(m.clean for m in run.measured) else 1


def measure_pauses(seconds: float) -> dict[str, dict]:
    """Each core's pauses, as a real-time process sees them, with nothing of the stack running."""
    found = {}
    for core in (int(SHARED_CORE), int(MODEL_CORE)):
        figures = hiccups.measure(core, seconds, hiccups.SPIN_MS)
        print(f"core {core}: {figures['over_1ms_per_s']} pauses of 1 ms or more a second, lost share "
              f"{figures['lost_share']:.3f}, steal {figures['steal_share']:.3f} (load average "
              f"{figures['load_average']:.1f})", file=sys.stderr)
        found[str(core)] = figures
    return found


def measure(run: Run, wanted: list[str], loads: list[float]) -> None:
    """Every configuration of both models, in order: the calibrating model's FIFO and batching
    servers alone always run first (their closed loops give the serving overhead); their levels
    are kept only if asked for."""
    args = run.args
    for config in configurations(args.model, args.max_batch, args.delay_ms):
        if config.name in wanted or config.name in ("fifo", "batch"):
            loads_here = loads if config.name in wanted else []
            run.measured.append(measure_configuration(run, config, loads_here, calibrating=True))
    if args.validation_model:
        for config in configurations(args.validation_model, args.max_batch, args.delay_ms):
            if config.name in wanted:
                run.measured.append(measure_configuration(run, config, loads, calibrating=False))


MEASURED_FILE = "measured.pickle"


def _save_measured(run: Run, started: datetime, load_start: float) -> None:
    """Keep what was measured (levels with every latency and stamp), so the boards can be changed
    and simulated again without running the stack (`--resimulate`)."""
    with open(run.args.out / MEASURED_FILE, "wb") as f:
        pickle.dump({"args": run.args, "measured": run.measured, "started": started, "load_start": load_start,
                     "load_end": run.load_end, "command": run.command, "pauses": run.pauses}, f)


def _load_measured(args: argparse.Namespace, variants: tuple[str, ...]) -> tuple[Run, datetime, float]:
    """The measurements of a previous run in <out>, with its arguments (this run's variants and seeds)."""
    path = args.out / MEASURED_FILE
    if not path.exists():
        raise SystemExit(f"no {path}: run the measurement first")
    with open(path, "rb") as f:
        saved = pickle.load(f)
    old = saved["args"]
    old.variants, old.seeds, old.sim_requests, old.out = ",".join(variants), args.seeds, args.sim_requests, args.out
    run = Run(old, measured=saved["measured"], command=saved["command"], load_end=saved["load_end"],
              pauses=saved.get("pauses") or {})
    if not run.pauses and args.pauses_json is not None:
        run.pauses = json.loads(args.pauses_json.read_text())
        run.pauses_source = f"measured at another time, from {args.pauses_json.name}"
    for measured in run.measured:
        for row in measured.rows:
            row.simulated.clear()
        low = measured.low
        if low is not None and not hasattr(low, "found_idle"):  # measured before it was kept
            record = args.out / "run" / f"{measured.config.model}-{measured.config.name}" / f"level-{low.rps:.0f}.json"
            low.found_idle = found_idle_in(record, low.warmup) if record.exists() else np.zeros(0, dtype=bool)
    return run, saved["started"], saved["load_start"]


def write_outputs(run: Run, variants: tuple[str, ...], started: datetime, load_start: float) -> str:
    """The table to <out>/table.md, every figure to <out>/results.json; returns the table."""
    out = run.args.out
    text = _markdown(run, variants, started, load_start)
    (out / "table.md").write_text(text + "\n", encoding="utf-8")
    (out / "results.json").write_text(json.dumps({
        "started": started.isoformat(timespec="seconds"),
        "arguments": {k: str(v) for k, v in vars(run.args).items()},
        "calibration": run.cal.to_dict(),
        "pauses": {core: {k: v for k, v in figures.items() if k != "pauses_ms"} for core, figures in run.pauses.items()},
        "configurations": [{
            "model": m.config.model, "configuration": m.config.name, "capacity_rps": m.saturated.rps,
            "level_capacity_rps": m.capacity_rps or m.saturated.rps, "capacity_source": m.capacity_source,
            "stopped_cleanly": m.clean, "processes": m.processes, "profile": _profile_summary(m.profile),
            "saturated": report.level_json(m.saturated)} for m in run.measured],
        "levels": report.summary_json(run.rows)}, indent=1), encoding="utf-8")
    return text


def _profile_summary(profile: dict) -> dict:
    return {"load_average_1m": profile["load_average_1m"], "created": profile["created"],
            "throttle_stalls_removed": profile.get("throttle_stalls_removed", 0),
            **{f"batch_{s}": {k: profile["timings"][s][k] for k in ("p50_ms", "p99_ms", "mean_ms")}
               for s in ("1", "8") if s in profile["timings"]}}


def _served_profile(m: Measured) -> dict | None:
    """The as-served profile measured beside the configuration's catalog profile, if one was."""
    from simulator.models.store import machine_dir, read_profile

    return None if m.served_profile_dir is None else read_profile(machine_dir(m.served_profile_dir), m.config.model)


def _markdown(run: Run, variants: tuple[str, ...], started: datetime, load_start: float) -> str:
    from simulator.models.profiling import SERVED_IDLE_MS

    args = run.args
    origin = "measured here just before" if args.profile == "measure" else "committed reference, for"
    def summary(m: Measured, profile: dict) -> str:
        p = _profile_summary(profile)
        return (f"{m.config.model} {m.config.name} {p['batch_1']['p50_ms']:.2f} / {p['batch_1']['p99_ms']:.2f} ms at "
                f"batch 1, {p['batch_8']['p50_ms']:.2f} / {p['batch_8']['p99_ms']:.2f} ms at 8 (load average "
                f"{p['load_average_1m']}, {p['throttle_stalls_removed']} throttle stalls removed)")

    profiles = "; ".join(summary(m, m.profile) for m in run.measured)
    served = "; ".join(summary(m, profile) for m in run.measured if (profile := _served_profile(m)) is not None)
    capacities = ", ".join(f"{m.config.model} {m.config.name} {m.saturated.rps:.0f} req/s"
                           + (f" (levels of the open loop's {m.capacity_rps:.0f})" if m.capacity_source == "open loop"
                              else "") for m in run.measured)
    calibration = ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in run.cal.to_dict().items())
    diagnostics = tuple(v for v in variants if next(x for x in VARIANTS if x.name == v).diagnostic)
    predictions = tuple(v for v in variants if v not in diagnostics)
    lines = [
        f"Fidelity run of {started:%Y-%m-%d %H:%M} UTC ({os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}), load average {load_start:.1f} at the start and {run.load_end:.1f} at the "
        f"end of the measurements; the stack's priority `{args.priority}`.",
        "",
        f"Command: `{' '.join(['benchmarks/fidelity/run', *run.command])}`"
        + (" (simulated again by `--resimulate`)" if "--resimulate" in sys.argv[1:] else "")
        + (" (`--no-after-calls`: the gateway's work all before its calls)" if run.no_after_calls else "")
        + f"; {args.requests} requests per level, {args.seeds} simulator seeds of {args.sim_requests} requests each.",
        "",
        f"Catalog profiles ({origin} each configuration), P50 / P99: {profiles}.",
        *(["", f"As-served profiles (each predict after a {SERVED_IDLE_MS:g} ms idle moment, measured just before the "
              f"catalog's), "
              f"P50 / P99: {served}."] if served else []),
        "",
        f"Capacity (closed loop): {capacities}.",
        "",
        f"Calibration: {calibration}.",
        "",
        *([f"The machine's pauses ({run.pauses_source}; a real-time process spinning on the core, `hiccups.py`; "
           "the `+pauses` variants give the model server core 1's and the gateway core 0's, of 1 ms or more): "
           + "; ".join(hiccups.summary(figures) for figures in run.pauses.values()) + ".", ""] if run.pauses else []),
    ]
    if predictions:
        lines += ["Predictions (the model server timed by the catalog profile, or by its own predict times at "
                  "very low load). The P99 interval is the measured P99's own 95% interval (a bootstrap of "
                  f"{P99_BLOCKS} runs of consecutive requests): a simulated P99 inside it is as close as this "
                  "level can tell.", "", report.table(run.rows, predictions), ""]
    if diagnostics:
        lines += ["Diagnostic, not predictions: the same boards with the predict times the server measured during "
                  "each level, without and with the serving overhead, at random and in their order:", "",
                  report.table(run.rows, diagnostics), ""]
    lines += [
        "Inside each level (the generator's own lateness, batches, predict on the server):", "",
        report.diagnosis(run.rows), "",
        "Latency parts (ms) from the servers' stamps:", "",
        report.parts(run.rows), "",
        "Stack stopped cleanly (no process left, ports free): "
        + ", ".join(f"{m.config.model} {m.config.name} {'yes' if m.clean else 'NO'}" for m in run.measured) + ".",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
