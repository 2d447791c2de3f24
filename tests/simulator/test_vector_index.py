"""The vector index is timed on a real index (the visual-search k-NN models) scaled to the configured size."""

from __future__ import annotations

import math

import pytest

from simulator import run
from tests.simulator.boards import chain, const, node


def index_board(**config):
    return chain(node("ann", "vector_index", servers=4, service=const(5.0), **config), rps=50, warmup_s=0,
                 duration_s=200)


def mean_service(results) -> float:
    """The index's mean service time from the utilisation law: U = lambda E[S] / c."""
    stats = results.nodes["ann"]
    return stats.utilization * stats.servers / stats.throughput_rps * 1000.0


def test_exact_search_costs_in_proportion_to_the_vectors_and_their_dimensions():
    # Brute force reads every vector: 4x the vectors, or 2x the vectors of 2x the numbers, is 4x the
    # time of the measured index (same seed, so the same measured samples are drawn; 2% for the
    # utilisation estimate).
    measured = mean_service(run(index_board(index="exact"), seed=1))
    larger = run(index_board(index="exact", vectors=13_473 * 4), seed=1)
    wider = run(index_board(index="exact", vectors=13_473 * 2, dimensions=32), seed=1)
    assert mean_service(larger) == pytest.approx(4 * measured, rel=0.02)
    assert mean_service(wider) == pytest.approx(4 * measured, rel=0.02)
    info = larger.node_models["ann"]
    assert info["estimate"] is True and info["scale"] == pytest.approx(4.0) and "visual_knn_brute" == info["model"]


def test_a_tree_index_grows_with_the_log_of_the_vectors_and_an_empty_index_uses_the_service_time():
    measured = mean_service(run(index_board(index="tree"), seed=2))
    big = mean_service(run(index_board(index="tree", vectors=13_473 ** 2), seed=2))
    assert big == pytest.approx(2 * measured, rel=0.02)  # log(N^2) = 2 log(N)
    plain = run(index_board(index=None), seed=2)
    assert mean_service(plain) == pytest.approx(5.0, rel=1e-6)  # a constant 5 ms service time
    assert "ann" not in plain.node_models
    assert math.isfinite(measured)
