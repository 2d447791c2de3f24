"""The fidelity replay's queue against queueing formulas, and its gaps on hand-made stamps."""

import numpy as np

from benchmarks.fidelity.replay import back_to_back_gaps_ms, one_queue


def test_one_queue_gives_the_md1_mean_wait_and_never_serves_two_at_once():
    # M/D/1: mean wait Wq = rho * S / (2 (1 - rho)); rho 0.7, S 1 ms -> 1.1667 ms. Tolerance 5%
    # (200,000 Poisson arrivals; the batch-means standard error here is under 2%).
    rng = np.random.default_rng(3)
    arrivals = np.cumsum(rng.exponential(1 / 0.7, size=200_000))
    service = np.ones(len(arrivals))
    waits = one_queue(arrivals, service)
    expected = 0.7 * 1.0 / (2 * (1 - 0.7))
    assert abs(waits[1000:].mean() - expected) / expected < 0.05
    starts = arrivals + waits
    assert np.all(np.diff(starts) >= service[:-1] - 1e-9)  # each starts once the one before is done


def test_one_queue_serves_in_arrival_order_whatever_the_input_order():
    # Arrivals at 0, 1, 2 given shuffled, 5 ms each: waits 0, 4, 8.
    waits = one_queue(np.array([2.0, 0.0, 1.0]), np.array([5.0, 5.0, 5.0]))
    assert waits.tolist() == [8.0, 0.0, 4.0]


def test_back_to_back_gaps_count_only_a_request_that_was_waiting():
    # in, queued, start, end, out (s). The second was sent during the first's predict (a gap of
    # 0.5 ms counts); the third was sent after the second had ended (the server idled: no gap).
    stamps = np.array([[0.0, 0.0, 0.000, 0.004, 0.004],
                       [0.0, 0.0, 0.0045, 0.008, 0.008],
                       [0.0, 0.0, 0.020, 0.024, 0.024]])
    sent = np.array([0.0, 0.002, 0.019])
    assert np.allclose(back_to_back_gaps_ms(stamps, sent), [0.5])
