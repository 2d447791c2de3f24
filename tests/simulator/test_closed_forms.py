"""The simulator against queueing theory's closed forms, with fixed seeds and stated tolerances.

Tolerances: each figure is an average over 100,000-300,000 correlated requests; batch-means
estimates of their standard error at these loads are 1-2% for means and 2-3% for P99s, so a 5%
tolerance is about three standard errors (P99 of a queue at 80% load converges slowly).
"""

from __future__ import annotations

import math

import pytest
from scipy.optimize import brentq

from simulator import run
from tests.simulator.boards import chain, const, exp, node


def p99_of(survival) -> float:
    """t with P(T > t) = 0.01 for a decreasing survival function (seconds in, ms out)."""
    return 1000.0 * brentq(lambda t: survival(t) - 0.01, 1e-9, 100.0)


def test_mm1_mean_and_p99_of_time_in_system():
    # M/M/1, lambda = 70/s, mu = 100/s: T ~ Exp(mu - lambda), mean 1/30 s, P99 ln(100)/30 s.
    lam, mu = 70.0, 100.0
    results = run(chain(node("a", service=exp(1000 / mu)), rps=lam, warmup_s=20), seed=11, requests=200_000)
    mean, p99 = 1000 / (mu - lam), 1000 * math.log(100) / (mu - lam)
    assert results.latency_ms.mean == pytest.approx(mean, rel=0.05)
    assert results.latency_ms.p99 == pytest.approx(p99, rel=0.05)
    low, high = results.latency_ms.p99_ci95
    assert low <= p99 <= high


def erlang_c(servers: int, load: float) -> float:
    """Probability an arrival waits in M/M/c with offered load lambda/mu."""
    top = load ** servers / math.factorial(servers) * servers / (servers - load)
    return top / (sum(load ** k / math.factorial(k) for k in range(servers)) + top)


def test_mmc_p99_of_time_in_system_matches_erlang_c():
    # M/M/c: T = Wq + S with P(Wq > t) = C e^{-(c mu - lambda) t} and S ~ Exp(mu), so
    # P(T > t) = (1 - C) e^{-mu t} + C (mu e^{-theta t} - theta e^{-mu t}) / (mu - theta), theta = c mu - lambda.
    c, lam, mu = 4, 320.0, 100.0
    theta, waits = c * mu - lam, erlang_c(c, lam / mu)
    p99 = p99_of(lambda t: (1 - waits) * math.exp(-mu * t)
                 + waits * (mu * math.exp(-theta * t) - theta * math.exp(-mu * t)) / (mu - theta))
    results = run(chain(node("a", servers=c, service=exp(1000 / mu)), rps=lam, warmup_s=10), seed=12,
                  requests=300_000)
    assert results.latency_ms.p99 == pytest.approx(p99, rel=0.05)


def test_tandem_of_mm1_nodes_p99_is_a_sum_of_independent_exponentials():
    # Jackson tandem: sojourns at the nodes are independent Exp(mu_i - lambda) (Reich), so the
    # time in system is hypoexponential: P(T > t) = sum_i prod_{j != i} r_j / (r_j - r_i) e^{-r_i t}.
    lam, mus = 50.0, (100.0, 125.0, 150.0)
    rates = [mu - lam for mu in mus]

    def survival(t: float) -> float:
        return sum(math.exp(-r * t) * math.prod(s / (s - r) for s in rates if s != r) for r in rates)

    nodes = [node(f"n{i}", service=exp(1000 / mu)) for i, mu in enumerate(mus)]
    results = run(chain(*nodes, rps=lam, warmup_s=20), seed=13, requests=150_000)
    assert results.latency_ms.mean == pytest.approx(1000 * sum(1 / r for r in rates), rel=0.05)
    assert results.latency_ms.p99 == pytest.approx(p99_of(survival), rel=0.05)


def test_md1_mean_wait_matches_pollaczek_khinchine():
    # M/D/1: Wq = rho D / (2 (1 - rho)); D = 10 ms, lambda = 80/s, rho = 0.8: Wq = 20 ms.
    rho, service_ms = 0.8, 10.0
    results = run(chain(node("a", service=const(service_ms)), rps=80, warmup_s=20), seed=14, requests=200_000)
    assert results.nodes["a"].mean_wait_ms == pytest.approx(rho * service_ms / (2 * (1 - rho)), rel=0.05)
    assert results.nodes["a"].utilization == pytest.approx(rho, rel=0.02)


def test_mm1k_drop_probability():
    # M/M/1/K with K = 1 server + 4 waiting places: P(drop) = (1 - rho) rho^K / (1 - rho^{K+1}).
    rho, places = 0.9, 4
    k = places + 1
    expected = (1 - rho) * rho ** k / (1 - rho ** (k + 1))
    results = run(chain(node("a", service=exp(10.0), queue_limit=places), rps=90, warmup_s=5), seed=15,
                  requests=200_000)
    share = results.drops["queue_full"] / results.requests.arrived
    assert share == pytest.approx(expected, rel=0.05)
    assert results.drops["timeout"] == 0


def test_erlang_b_blocking_for_a_node_without_a_queue():
    # M/G/c/c: blocking is Erlang B, B(c, a) = (a^c / c!) / sum_{k<=c} a^k / k!, whatever the
    # service distribution (insensitivity), so the service here is lognormal.
    c, lam, mean_ms = 5, 400.0, 10.0
    load = lam * mean_ms / 1000
    blocking = (load ** c / math.factorial(c)) / sum(load ** i / math.factorial(i) for i in range(c + 1))
    sigma = 0.5
    median = mean_ms / math.exp(sigma ** 2 / 2)
    service = {"dist": "lognormal", "median_ms": median, "p99_ms": median * math.exp(2.3263478740408408 * sigma)}
    results = run(chain(node("a", servers=c, service=service, queue_limit=0), rps=lam, warmup_s=5), seed=16,
                  requests=200_000)
    assert results.drops["queue_full"] / results.requests.arrived == pytest.approx(blocking, rel=0.05)
    assert results.nodes["a"].mean_wait_ms == 0
