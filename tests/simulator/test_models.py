"""The model catalog: quality against trivial baselines, profiles, and batch times drawn from them."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from simulator import catalog
from simulator.models import MODEL_IDS, get_batch_timer, reset_cache
from simulator.models.build import build_profiles
from simulator.models.registry import MODELS
from simulator.models.store import PROFILE_DIR_ENV, machine
from simulator.models.timer import ProfileBatchTimer
from simulator.validation import BoardValidationError, check_document

# (metric, direction, margin): the model must beat the trivial baseline's figure by the margin.
# "+" adds to the baseline, "x" multiplies it, "<x" requires at most that share of it (lower is better).
BEATS_BASELINE = {
    "ctr_logreg": [("roc_auc", "+", 0.15), ("pr_auc", "x", 3.0), ("log_loss", "<x", 0.95)],
    "ctr_gbdt": [("roc_auc", "+", 0.15), ("pr_auc", "x", 3.0), ("log_loss", "<x", 0.95)],
    "ctr_gbdt_distilled": [("roc_auc", "+", 0.15), ("pr_auc", "x", 3.0), ("log_loss", "<x", 0.95)],
    "ranking_gbdt": [("ndcg_at_10", "+", 0.3)],
    "ranking_gbdt_distilled": [("ndcg_at_10", "+", 0.3)],
    "retrieval_dot": [("recall_at_10", "x", 3.0)],
    "visual_knn_brute": [("recall_at_10", "+", 0.5), ("label_precision_at_10", "+", 0.6)],
    "visual_knn_tree": [("recall_at_10", "+", 0.5), ("label_precision_at_10", "+", 0.6)],
    "harmful_text_linear": [("f1_at_0_5", "+", 0.25), ("precision_at_0_5", "+", 0.5)],
}
LOWER_IS_BETTER = {"log_loss"}


@pytest.fixture(scope="module")
def quick_profiles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Every catalog model trained and timed with the quick settings (batch sizes 1, 8, 64)."""
    return build_profiles(quick=True, directory=tmp_path_factory.mktemp("profiles"))


def test_every_model_beats_its_trivial_baseline_by_the_stated_margin(quick_profiles: dict) -> None:
    assert set(BEATS_BASELINE) == set(MODELS)
    for model_id, checks in BEATS_BASELINE.items():
        quality, baseline = quick_profiles[model_id]["quality"], quick_profiles[model_id]["baseline"]
        for metric, how, margin in checks:
            ours, trivial = quality[metric], baseline[metric]
            if how == "+":
                assert ours >= trivial + margin, (model_id, metric, ours, trivial)
            elif how == "x":
                assert ours >= trivial * margin, (model_id, metric, ours, trivial)
            else:
                assert ours <= trivial * margin, (model_id, metric, ours, trivial)


def test_ctr_data_has_about_one_percent_clicks(quick_profiles: dict) -> None:
    # The constant baseline's PR-AUC equals the held-out click rate; "about 1%" means 0.5% to 2%.
    assert 0.005 <= quick_profiles["ctr_logreg"]["baseline"]["pr_auc"] <= 0.02


def test_time_per_request_falls_as_the_batch_grows(quick_profiles: dict) -> None:
    # Median per-request time at 8 and at 64 below half of that at 1: the fixed per-call cost of
    # predict makes this hold about tenfold at 64. Adjacent sizes (8 against 64) are not compared:
    # the quick profile takes few samples, and on a loaded machine one slow median at 64 can
    # cross a real but smaller gap.
    for model_id, profile in quick_profiles.items():
        per_request = {int(s): t["p50_ms"] / int(s) for s, t in profile["timings"].items()}
        assert per_request[8] < per_request[1], model_id
        assert per_request[64] < per_request[1] / 2, model_id


def test_distilled_model_is_faster_and_no_more_accurate_than_its_big_one(quick_profiles: dict) -> None:
    pairs = [(spec.distilled_from, spec.id) for spec in MODELS.values() if spec.distilled_from]
    assert len(pairs) >= 2
    for big_id, small_id in pairs:
        big, small = quick_profiles[big_id], quick_profiles[small_id]
        # 300 against 30 trees: their costs differ about tenfold. The fastest of the raw samples is
        # compared, since other processes on a shared machine only ever add time; 3x leaves room.
        fastest = {name: min(profile["timings"]["64"]["samples_ms"]) for name, profile in (("big", big), ("small", small))}
        assert fastest["small"] * 3 < fastest["big"], (big_id, small_id, fastest)
        for metric, value in big["quality"].items():
            if metric in LOWER_IS_BETTER:
                assert small["quality"][metric] >= value, (small_id, metric)
            else:
                assert small["quality"][metric] <= value, (small_id, metric)


def test_profile_records_machine_versions_and_bounded_raw_samples(quick_profiles: dict) -> None:
    profile = quick_profiles["ranking_gbdt"]
    assert profile["machine"] == machine()
    assert {"cpu", "cores", "python", "sklearn"} <= set(profile["machine"])
    assert profile["size_bytes"] > 0 and profile["train_seconds_per_10k_rows"] > 0
    for timing in profile["timings"].values():
        assert 1 <= len(timing["samples_ms"]) <= 200
        assert timing["p50_ms"] <= timing["p90_ms"] <= timing["p99_ms"]


def test_cached_profile_is_reused_and_rebuilt_when_the_machine_changes(tmp_path: Path) -> None:
    first = build_profiles(["ctr_logreg"], quick=True, directory=tmp_path)["ctr_logreg"]
    again = build_profiles(["ctr_logreg"], quick=True, directory=tmp_path)["ctr_logreg"]
    assert again["timings"] == first["timings"]
    path = tmp_path / "ctr_logreg.json"
    stale = json.loads(path.read_text())
    stale["machine"]["sklearn"] = "0.0"
    stale["timings"]["1"]["samples_ms"] = [-1.0]
    path.write_text(json.dumps(stale))
    rebuilt = build_profiles(["ctr_logreg"], quick=True, directory=tmp_path)["ctr_logreg"]
    assert rebuilt["machine"] == machine()
    assert min(rebuilt["timings"]["1"]["samples_ms"]) > 0


def _profile(timings: dict[int, list[float]]) -> dict:
    return {"timings": {str(size): {"samples_ms": samples, "p50_ms": float(np.median(samples))}
                        for size, samples in timings.items()}}


def test_timer_draws_measured_samples_at_a_measured_batch_size() -> None:
    timer = ProfileBatchTimer(_profile({1: [1.0, 2.0, 3.0], 4: [4.0, 5.0, 6.0]}))
    drawn = timer.sample_ms(4, np.random.default_rng(1), 1000)
    assert set(np.unique(drawn)) == {4.0, 5.0, 6.0}


def test_timer_interpolates_quantiles_between_measured_sizes() -> None:
    # Size 2 lies a third of the way from 1 to 4: every quantile is a third of the way from
    # the size-1 quantile to the size-4 quantile, so the median is 2 + (5 - 2) / 3 = 3 exactly
    # and all draws lie in [2, 4] (the 1/3 points between 1..3 and 4..6).
    timer = ProfileBatchTimer(_profile({1: [1.0, 2.0, 3.0], 4: [4.0, 5.0, 6.0]}))
    drawn = timer.sample_ms(2, np.random.default_rng(2), 20_000)
    assert np.median(drawn) == pytest.approx(3.0, abs=0.05)  # 20,000 uniform quantiles: error ~0.01
    assert drawn.min() >= 2.0 and drawn.max() <= 4.0


def test_timer_extends_the_last_slope_above_the_largest_size_and_scales_by_speed() -> None:
    timer = ProfileBatchTimer(_profile({1: [1.0], 4: [4.0]}), factor=2.0)
    assert timer.sample_ms(7, np.random.default_rng(3), 5) == pytest.approx([14.0] * 5)  # (4 + 3) x 2


def test_get_batch_timer_falls_back_to_the_reference_profile_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PROFILE_DIR_ENV, str(tmp_path))  # an empty cache
    reset_cache()
    try:
        timer = get_batch_timer("ranking_gbdt", "c6i.xlarge")
        assert timer is not None
        assert timer.info["timing_source"].startswith("timings from reference profile measured on ")
        assert timer.info["quality"]["ndcg_at_10"] > 0.5
        assert get_batch_timer("ranking_gbdt", "c6i.xlarge") is timer  # cached after the first call
        assert get_batch_timer("no_such_model", "c6i.xlarge") is None
    finally:
        reset_cache()


def test_gpu_instance_speeds_up_knn_by_its_documented_estimate() -> None:
    cpu = get_batch_timer("visual_knn_brute", "c6i.xlarge")
    gpu = get_batch_timer("visual_knn_brute", "g5.xlarge")
    assert gpu.factor == pytest.approx(cpu.factor * 1.1 / 5.0)  # g5 host CPU 1.1, A10G k-NN 5x
    assert "estimate" in gpu.info["speed_basis"]


def test_board_model_must_be_a_catalog_model() -> None:
    assert catalog.KINDS["model_server"].field("model").choices == MODEL_IDS == tuple(MODELS)
    document = {"schema_version": 1, "title": "t", "traffic": {"rps": 10},
                "nodes": [{"id": "ms", "kind": "model_server", "config": {"model": "gpt"}}], "edges": []}
    with pytest.raises(BoardValidationError, match=r"nodes\[0\]\.config\.model: must be one of ctr_logreg"):
        check_document(document)


def test_profile_command_writes_the_chosen_models_and_prints_their_timings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from simulator.models.cli import main

    assert main(["--quick", "--models", "ctr_logreg", "--dir", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["ctr_logreg.json"]
    out = capsys.readouterr().out
    assert "1 profile(s)" in out and "ctr_logreg" in out and "roc_auc" in out


class _RecordedModel:
    """A model whose predict records when it ran and on what batch size: the profiler's order and idle moments."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, float, float]] = []  # (batch size, start, end)

    def predict(self, batch: np.ndarray) -> np.ndarray:
        start = time.perf_counter()
        scores = np.tanh(batch).sum(axis=1)
        self.calls.append((len(batch), start, time.perf_counter()))
        return scores

    @staticmethod
    def batch(size: int, offset: int) -> np.ndarray:
        return np.arange(offset, offset + size * 4, dtype=float).reshape(size, 4)


def test_as_served_times_each_predict_after_an_idle_moment_in_the_same_turns() -> None:
    from simulator.models.profiling import QUICK, SERVED_IDLE_MS, as_served, time_batches

    served, looped = _RecordedModel(), _RecordedModel()
    samples = time_batches(served, as_served(QUICK))
    time_batches(looped, QUICK)
    warm = QUICK.warmup * len(QUICK.batch_sizes)  # one warm-up call per size, not timed
    timed = served.calls[warm:]
    # The same calls in the same order (sizes in turns: 1, 8, 64, 1, ...), each after the idle moment.
    assert [size for size, _, _ in timed] == [size for size, _, _ in looped.calls[warm:]]
    assert [size for size, _, _ in timed[:3]] == [1, 8, 64]
    assert {size: len(values) for size, values in samples.items()} == dict.fromkeys(QUICK.batch_sizes, QUICK.max_repetitions)
    gaps_ms = [(start - previous_end) * 1000.0 for (_, _, previous_end), (_, start, _) in zip(timed, timed[1:])]
    assert min(gaps_ms) >= SERVED_IDLE_MS  # time.sleep never returns early
    looped_gaps_ms = [(b[1] - a[2]) * 1000.0 for a, b in zip(looped.calls[warm:], looped.calls[warm + 1:])]
    assert np.median(looped_gaps_ms) < SERVED_IDLE_MS / 5  # back to back


def test_profile_command_as_served_needs_a_folder_and_records_how_it_timed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from simulator.models.cli import main

    with pytest.raises(SystemExit) as refused:
        main(["--quick", "--as-served", "--models", "ctr_logreg"])
    assert refused.value.code == 2 and "--as-served needs --dir" in capsys.readouterr().err
    assert main(["--quick", "--as-served", "--models", "ctr_logreg", "--dir", str(tmp_path)]) == 0
    assert json.loads((tmp_path / "ctr_logreg.json").read_text())["settings"]["idle_ms"] == 5.0
    # A profile timed the other way is measured again, not taken from the folder.
    assert main(["--quick", "--models", "ctr_logreg", "--dir", str(tmp_path)]) == 0
    assert json.loads((tmp_path / "ctr_logreg.json").read_text())["settings"]["idle_ms"] == 0.0
