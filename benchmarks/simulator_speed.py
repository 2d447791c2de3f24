"""Benchmark: simulated requests per wall second on the reference chain, against SimPy and Ciw.

The reference chain: Poisson arrivals at 300 req/s into a gateway (2 servers at 2,000 req/s
each), then a feature store (4 servers at 500 req/s each), then a model server (8 servers at
50 req/s each), exponential service everywhere, FIFO queues. The same network is written
idiomatically in SimPy (a Resource per node, a process per request) and in Ciw, which run fewer
requests because they are slow; every figure is requests simulated per second of wall time, so
the ratios compare like with like. A last step runs 10,000,000 requests in a fresh process and
reports its peak resident memory.

The second part runs the same chain with retries on both edges (3 attempts, 5 ms backoff doubled
each time, full jitter) and one fault (the model server fails 10% of its calls during the middle
third of the run): this simulator's event loop against SimPy running the same network, written
idiomatically (a process per call attempt). Availability and mean latency are printed beside the
speeds so the two can be seen to simulate the same thing.

This simulator's two figures are also printed per CPU second of its own process: on the shared
machine a wall-clock rate falls whenever other work holds the core, the CPU rate much less.

    .venv/bin/python benchmarks/simulator_speed.py [--requests 1000000] [--others 50000] [--memory-requests 10000000]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import simulator  # noqa: E402 - after the path set-up above

ARRIVAL_RPS = 300.0
CHAIN = (("gateway", 2, 2000.0), ("feature store", 4, 500.0), ("model server", 8, 50.0))  # servers, rate each
BOARD = ROOT / "simulator" / "examples" / "reference_chain.json"


def theory_mean_ms() -> float:
    """Mean time in system of the Jackson tandem: the sum of the M/M/c mean sojourns."""
    from math import factorial

    total = 0.0
    for _, c, mu in CHAIN:
        a = ARRIVAL_RPS / mu
        top = a ** c / factorial(c) * c / (c - a)
        waits = top / (sum(a ** k / factorial(k) for k in range(c)) + top)
        total += waits / (c * mu - ARRIVAL_RPS) + 1 / mu
    return total * 1000


def timed(run: Callable[[], Any], requests: int) -> tuple[float, float, Any]:
    """(requests per wall second, requests per CPU second of this process, the run's results).

    On the shared machine the wall figure also counts the moments another process had the core;
    the CPU figure is what one core gives when it is this run's alone.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    results = run()
    return requests / (time.perf_counter() - wall), requests / (time.process_time() - cpu), results


def ours(requests: int) -> tuple[float, float, float]:
    document = json.loads(BOARD.read_text())
    document["traffic"]["warmup_s"] = 1.0
    simulator.run(document, seed=0, requests=20_000)  # loads the compiled loop once, as a worker does
    speed, cpu_speed, results = timed(lambda: simulator.run(document, seed=1, requests=requests), requests)
    return speed, cpu_speed, results.latency_ms.mean


def with_simpy(requests: int) -> tuple[float, float]:
    import simpy

    rng = random.Random(1)
    env = simpy.Environment()
    nodes = [(simpy.Resource(env, capacity=c), mu) for _, c, mu in CHAIN]
    latencies = []

    def request(env):
        arrived = env.now
        for resource_, mu in nodes:
            with resource_.request() as turn:
                yield turn
                yield env.timeout(rng.expovariate(mu))
        latencies.append(env.now - arrived)

    def source(env):
        for _ in range(requests):
            yield env.timeout(rng.expovariate(ARRIVAL_RPS))
            env.process(request(env))

    env.process(source(env))
    start = time.perf_counter()
    env.run()
    return requests / (time.perf_counter() - start), 1000 * sum(latencies) / len(latencies)


def with_ciw(requests: int) -> tuple[float, float]:
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=ARRIVAL_RPS), None, None],
        service_distributions=[ciw.dists.Exponential(rate=mu) for _, _, mu in CHAIN],
        number_of_servers=[c for _, c, _ in CHAIN],
        routing=[[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]],
    )
    ciw.seed(1)
    sim = ciw.Simulation(network)
    start = time.perf_counter()
    sim.simulate_until_max_time(requests / ARRIVAL_RPS)
    wall = time.perf_counter() - start
    records = sim.get_all_records()
    by_customer: dict[int, list[float]] = {}
    for record in records:
        times = by_customer.setdefault(record.id_number, [record.arrival_date, record.exit_date])
        times[0], times[1] = min(times[0], record.arrival_date), max(times[1], record.exit_date)
    finished = [exit_ - arrived for arrived, exit_ in by_customer.values()]
    arrived = sum(1 for record in records if record.node == 1)
    return arrived / wall, 1000 * sum(finished) / len(finished)


RETRY = {"max_attempts": 3, "backoff_ms": 5.0, "backoff_multiplier": 2.0, "jitter": "full"}
ERROR_RATE = 0.1


def resilient_board(requests: int) -> dict:
    """The reference chain with retries on every edge and an error-rate fault over the middle third."""
    document = json.loads(BOARD.read_text())
    run_s = requests / ARRIVAL_RPS
    document["traffic"].update(warmup_s=1.0, duration_s=run_s)
    for edge in document["edges"]:
        edge["retry"] = dict(RETRY)
    document["faults"] = [{"id": "errors", "type": "error_rate", "target": "ms", "at_s": run_s / 3,
                           "duration_s": run_s / 3, "rate": ERROR_RATE}]
    return document


def ours_resilient(requests: int) -> tuple[float, float, float, float]:
    simulator.run(resilient_board(20_000), seed=0)  # loads the compiled loop once
    document = resilient_board(requests)
    speed, cpu_speed, results = timed(lambda: simulator.run(document, seed=1), requests)
    return speed, cpu_speed, results.availability, results.latency_ms.mean


def simpy_resilient(requests: int) -> tuple[float, float, float]:
    import simpy

    rng = random.Random(1)
    env = simpy.Environment()
    nodes = [(simpy.Resource(env, capacity=c), mu) for _, c, mu in CHAIN]
    run_s = requests / ARRIVAL_RPS
    window = (run_s / 3, 2 * run_s / 3)
    outcomes: list[tuple[bool, float]] = []

    def visit(env, k):
        """One attempt at node k and everything it calls; True when it answers."""
        resource_, mu = nodes[k]
        with resource_.request() as turn:
            yield turn
            yield env.timeout(rng.expovariate(mu))
        if k == len(nodes) - 1:
            return not (window[0] <= env.now < window[1] and rng.random() < ERROR_RATE)
        return (yield env.process(call(env, k + 1)))

    def call(env, k):
        """A call to node k with retries and exponential backoff with full jitter."""
        for attempt in range(RETRY["max_attempts"]):
            if (yield env.process(visit(env, k))):
                return True
            if attempt + 1 < RETRY["max_attempts"]:
                backoff = RETRY["backoff_ms"] * RETRY["backoff_multiplier"] ** attempt / 1000.0
                yield env.timeout(rng.uniform(0, backoff))
        return False

    def request(env):
        arrived = env.now
        ok = yield env.process(visit(env, 0))
        if arrived >= 1.0:
            outcomes.append((ok, env.now - arrived))

    def source(env):
        for _ in range(requests):
            yield env.timeout(rng.expovariate(ARRIVAL_RPS))
            env.process(request(env))

    env.process(source(env))
    start = time.perf_counter()
    env.run()
    wall = time.perf_counter() - start
    succeeded = [latency for ok, latency in outcomes if ok]
    return requests / wall, len(succeeded) / len(outcomes), 1000 * sum(succeeded) / len(succeeded)


def peak_memory_mb(requests: int) -> tuple[float, float]:
    """Peak resident memory and speed of one run in a fresh process."""
    code = (
        "import json, resource, sys, time; sys.path.insert(0, sys.argv[1]); import simulator; "
        "d = json.load(open(sys.argv[2])); d['traffic']['warmup_s'] = 1.0; "
        "simulator.run(d, seed=0, requests=20000); t = time.perf_counter(); "
        "simulator.run(d, seed=1, requests=int(sys.argv[3])); "
        "print(int(sys.argv[3]) / (time.perf_counter() - t), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(ROOT), str(BOARD), str(requests)],
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[1]) / 1024, float(out[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000, help="requests for this simulator")
    parser.add_argument("--others", type=int, default=50_000, help="requests for SimPy and Ciw")
    parser.add_argument("--memory-requests", type=int, default=10_000_000,
                        help="requests of the memory run (0 to skip it)")
    args = parser.parse_args()
    print(f"reference chain, Poisson {ARRIVAL_RPS:g} req/s, theory mean time in system {theory_mean_ms():.2f} ms")
    fast, fast_cpu, fast_mean = ours(args.requests)
    rows = [("this simulator", args.requests, fast, fast_mean),
            ("SimPy", args.others, *with_simpy(args.others)),
            ("Ciw", args.others, *with_ciw(args.others))]
    print(f"{'engine':<16}{'requests':>11}{'req/s of wall time':>20}{'mean ms':>9}")
    for name, requests, speed, mean in rows:
        print(f"{name:<16}{requests:>11,}{speed:>20,.0f}{mean:>9.2f}")
    print(f"this simulator per CPU second of its process: {fast_cpu:,.0f} req/s")
    speed = rows[0][2]
    print(f"speed-up: {speed / rows[1][2]:,.0f}x SimPy, {speed / rows[2][2]:,.0f}x Ciw "
          f"(SimPy and Ciw ran {args.others:,} requests, reported per second)")
    print(f"\nwith retries on every edge and one fault (errors {ERROR_RATE:.0%} at the model server, middle third)")
    event, event_cpu, *event_figures = ours_resilient(args.requests)
    resilient = [("this simulator", args.requests, event, *event_figures),
                 ("SimPy", args.others, *simpy_resilient(args.others))]
    print(f"{'engine':<16}{'requests':>11}{'req/s of wall time':>20}{'available':>11}{'mean ms':>9}")
    for name, requests, speed, available, mean in resilient:
        print(f"{name:<16}{requests:>11,}{speed:>20,.0f}{available:>11.4f}{mean:>9.2f}")
    print(f"speed-up: {resilient[0][2] / resilient[1][2]:,.0f}x SimPy; "
          f"this simulator per CPU second of its process: {event_cpu:,.0f} req/s")
    if args.memory_requests:
        peak, rate = peak_memory_mb(args.memory_requests)
        print(f"{args.memory_requests:,} requests in a fresh process: {rate:,.0f} req/s, peak resident memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
