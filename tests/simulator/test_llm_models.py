"""The reference transformer, its measured step profile, the roofline fitted to it, and the LLM
serving costs the engines read (step time, KV capacity, provenance)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from simulator.instances import INSTANCE_TYPES, hourly_price, price_table, speed_factor
from simulator.models import roofline
from simulator.models.llm import (LLM_INSTANCES, MODEL_CLASS_IDS, LlmConfigError, llm_data, llm_profile,
                                  reset_llm_cache)
from simulator.models.llm_check import comparison
from simulator.models.llm_profiling import PROFILE_ID, build_llm_profile, llm_machine
from simulator.models.registry import MODELS
from simulator.models.store import PROFILE_DIR_ENV, REFERENCE_DIR
from simulator.models.transformer import REFERENCE, Transformer, TransformerConfig

TINY = TransformerConfig(layers=2, hidden=64, heads=4, kv_heads=2, intermediate=128, vocab=97, max_context=512)


@pytest.fixture(scope="module")
def quick_profile(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The reference transformer's steps timed with the quick grid (a few seconds)."""
    return build_llm_profile(quick=True, directory=tmp_path_factory.mktemp("llm"))


@pytest.fixture(scope="module")
def reference_profile() -> dict:
    return json.loads((REFERENCE_DIR / f"{PROFILE_ID}.json").read_text())


def test_decoding_over_the_kv_cache_gives_the_logits_of_a_whole_prefill() -> None:
    # The cache is real: a prompt prefilled in two chunks, or prefilled but for its last token
    # which is then decoded, gives the next-token logits of one prefill of the whole prompt
    # (float32 sums in another order: agreement to 1e-5 of logits of size ~1).
    model = Transformer(TINY, seed=3)
    prompt = np.random.default_rng(0).integers(0, TINY.vocab, 300)
    whole = model.new_cache(1, 301)
    expected, _ = model.step(prompt[None], whole)
    chunked = model.new_cache(1, 301)
    model.step(prompt[None, :100], chunked)
    in_chunks, _ = model.step(prompt[None, 100:], chunked)
    decoded_cache = model.new_cache(1, 301)
    model.step(prompt[None, :299], decoded_cache)
    _, decoded = model.step(decode_tokens=prompt[299:], decode_cache=decoded_cache)
    assert np.abs(in_chunks - expected).max() < 1e-5
    assert np.abs(decoded - expected).max() < 1e-5
    assert whole.lengths[0] == chunked.lengths[0] == decoded_cache.lengths[0] == 300


def test_sequences_of_different_lengths_decode_together_as_they_would_alone() -> None:
    model = Transformer(TINY, seed=4)
    rng = np.random.default_rng(1)
    prompts = [rng.integers(0, TINY.vocab, n) for n in (40, 170)]
    alone, batch = [], model.new_cache(2, 200)
    for row, prompt in enumerate(prompts):
        cache = model.new_cache(1, 200)
        model.step(prompt[None, :-1], cache)
        batch.keys[:, row], batch.values[:, row] = cache.keys[:, 0], cache.values[:, 0]
        batch.lengths[row] = cache.lengths[0]
        alone.append(model.step(decode_tokens=prompt[-1:], decode_cache=cache)[1][0])
    # The shorter row's unused positions hold zeros that attention must not see.
    _, together = model.step(decode_tokens=np.array([p[-1] for p in prompts]), decode_cache=batch)
    assert np.abs(together - np.array(alone)).max() < 1e-5


def test_a_mixed_step_gives_each_part_the_logits_it_gets_alone() -> None:
    # vLLM-style step: a prompt chunk and decode tokens through the dense layers as one matrix.
    model = Transformer(TINY, seed=5)
    rng = np.random.default_rng(2)
    prompt, context = rng.integers(0, TINY.vocab, (1, 50)), rng.integers(0, TINY.vocab, (3, 20))

    def caches() -> tuple:
        p, d = model.new_cache(1, 60), model.new_cache(3, 30)
        model.step(context, d)
        return p, d
    p1, d1 = caches()
    prefill_alone, _ = model.step(prompt, p1)
    _, decode_alone = model.step(decode_tokens=np.array([1, 2, 3]), decode_cache=d1)
    p2, d2 = caches()
    prefill_mixed, decode_mixed = model.step(prompt, p2, np.array([1, 2, 3]), d2)
    assert np.abs(prefill_mixed - prefill_alone).max() < 1e-5
    assert np.abs(decode_mixed - decode_alone).max() < 1e-5


def test_reference_transformer_has_tens_of_millions_of_weights() -> None:
    model = Transformer(TINY)
    # Every weight matrix is counted (norm vectors aside, which weight_bytes leaves out).
    assert model.weight_bytes() == 4 * (TINY.parameters() - TINY.norm_params())
    reference = roofline.Architecture.from_dict(llm_data()["model_classes"]["reference_34m"]["architecture"])
    assert reference == roofline.Architecture.from_transformer(REFERENCE)  # the class is the model measured
    assert 10e6 <= reference.parameters() <= 100e6


def test_quick_profile_times_every_step_shape_on_one_thread_and_is_cached(quick_profile: dict, tmp_path: Path) -> None:
    assert quick_profile["machine"] == llm_machine() and quick_profile["threads"] == 1
    assert quick_profile["quick"] is True and "load_average_1m" in quick_profile
    for cell in quick_profile["cells"]:
        cpu = cell["cpu"]
        assert cpu["n"] >= 2 and 0 < cpu["min_ms"] <= cpu["p50_ms"] <= cpu["p90_ms"], cell["key"]
    (tmp_path / f"{PROFILE_ID}.json").write_text(json.dumps(quick_profile))
    assert build_llm_profile(quick=True, directory=tmp_path)["cells"] == quick_profile["cells"]  # read, not re-timed
    stale = json.loads((tmp_path / f"{PROFILE_ID}.json").read_text())
    stale["machine"]["numpy"] = "0.0"
    stale["cells"][0]["cpu"]["p50_ms"] = -1.0
    (tmp_path / f"{PROFILE_ID}.json").write_text(json.dumps(stale))
    rebuilt = build_llm_profile(quick=True, directory=tmp_path)
    assert rebuilt["machine"] == llm_machine() and rebuilt["cells"][0]["cpu"]["p50_ms"] > 0


def test_prefill_time_grows_with_prompt_length_as_measured(quick_profile: dict) -> None:
    # 16, 64 and 256 tokens: each four times the last. Even the 16-token step's ~10 ms of weight
    # reads leave the 256-token one several times slower, far beyond the noise of a loaded machine.
    prefill = {c["prompt_tokens"]: c["cpu"]["p50_ms"] for c in quick_profile["cells"] if not c["decode_seqs"]}
    assert prefill[16] < prefill[64] < prefill[256]
    assert prefill[256] > 3 * prefill[16]


def test_roofline_fitted_to_the_reference_profile_predicts_unfitted_steps_within_15_percent(
        reference_profile: dict) -> None:
    cells = reference_profile["cells"]
    held_out = [c for c in cells if not c["fit"]]
    assert len(held_out) >= 10 and any(c["prompts"] and c["decode_seqs"] for c in held_out)
    arch = roofline.Architecture.from_dict({**reference_profile["architecture"], "tied_embeddings": True})
    fit = roofline.fit_cpu(arch, roofline.FP32, cells, reference_profile["overhead_probe_ms"])
    params = tuple(fit["step_params"].values())
    errors = roofline.relative_errors(params, held_out)
    assert max(abs(e) for e in errors.values()) <= 0.15, errors
    # The stored fit is the one the simulator reads; refitting the same cells finds it again.
    assert fit["step_params"] == pytest.approx(reference_profile["roofline"]["step_params"], rel=1e-3)


def test_step_ms_is_the_documented_closed_form() -> None:
    cost = llm_profile("llm_8b", "fp16", "p4d.24xlarge")
    overhead, weights, repack, token, logit, context, pair, p = cost.step_params
    n, b, c, a = 512, 32, 32 * 1500, roofline.prefill_pairs(512, 1000)
    by_hand = (overhead + ((token * (n + b) + logit * b) ** p + (weights + repack) ** p) ** (1 / p)
               + context * c + pair * a)
    assert cost.step_ms(n, b, c, a) == pytest.approx(by_hand)
    assert a == 512 * 1000 + 512 * 513 // 2
    assert repack == 0.0  # GPUs do not pack weights
    assert cost.step_ms() == 0.0


def test_time_to_first_token_grows_with_prompt_length() -> None:
    for model_class, precision, instance in (("reference_34m", "fp32", "c6i.xlarge"), ("llm_8b", "fp16", "g6e.xlarge"),
                                             ("llm_70b", "int4", "p4d.24xlarge")):
        cost = llm_profile(model_class, precision, instance, 4 if instance.startswith("p4d") else 1)
        ttft = [cost.prefill_ms(n) for n in (16, 128, 1024, 4096)]
        assert ttft == sorted(ttft) and ttft[-1] > 4 * ttft[0], (model_class, ttft)


def test_bigger_model_on_the_same_gpu_is_slower_and_needs_more_memory() -> None:
    small, big = llm_profile("llm_1b", "fp16", "g6e.xlarge"), llm_profile("llm_8b", "fp16", "g6e.xlarge")
    assert big.decode_ms(16, 1000) > small.decode_ms(16, 1000)
    assert big.prefill_ms(1000) > small.prefill_ms(1000)
    assert big.weights_bytes > small.weights_bytes and big.kv_bytes_per_token > small.kv_bytes_per_token
    assert big.kv_capacity_tokens < small.kv_capacity_tokens


def test_kv_capacity_is_usable_memory_minus_weights_over_bytes_per_token() -> None:
    # Llama 3.1 8B at fp16 on one A10G (g5.xlarge, 24 GB):
    # dense weights 32 x (4096 x 48 x 128 + 4096 x 4096 + 3 x 4096 x 14336) = 6,979,321,856;
    # embeddings and head 2 x 128,256 x 4,096 = 1,050,673,152; norms 65 x 4,096 = 266,240;
    # in all 8,030,261,248 weights x 2 bytes = 16,060,522,496 bytes.
    # KV per token: 2 (K and V) x 32 layers x 8 KV heads x 128 x 2 bytes = 131,072.
    # Usable: 24e9 x 0.9 (vLLM's gpu_memory_utilization) = 21.6e9; (21.6e9 - 16,060,522,496) // 131,072 = 42,262 (42,262.9).
    cost = llm_profile("llm_8b", "fp16", "g5.xlarge")
    assert cost.info["parameters"] == 8_030_261_248
    assert cost.weights_bytes == 16_060_522_496 and cost.kv_bytes_per_token == 131_072
    assert cost.memory_bytes == 21_600_000_000 and cost.kv_capacity_tokens == 42_262
    # int8 halves the dense weights (embeddings stay 16-bit) and the KV cache: 6,979,321,856 x 1
    # + 1,050,939,392 x 2 = 9,081,200,640 bytes; (21.6e9 - 9,081,200,640) // 65,536 = 191,021.
    int8 = llm_profile("llm_8b", "int8", "g5.xlarge")
    assert int8.weights_bytes == 9_081_200_640 and int8.kv_capacity_tokens == 191_021
    # Tensor parallel 4 on p4d (A100 40 GB): 4 x 40e9 x 0.9 = 144e9 bytes for the replica.
    assert llm_profile("llm_8b", "fp16", "p4d.24xlarge", 4).kv_capacity_tokens == (144_000_000_000 - 16_060_522_496) // 131_072


def test_reference_model_on_a_cpu_is_measured_and_gpus_are_estimates() -> None:
    cpu = llm_profile("reference_34m", "fp32", "c6i.xlarge")
    assert cpu.estimate is False and "roofline fitted to the reference transformer" in cpu.timing_source
    assert cpu.info["profile_origin"] in ("cache", "reference")
    extrapolated = llm_profile("llm_1b", "fp16", "r6i.xlarge")
    assert extrapolated.estimate is True and extrapolated.timing_source.startswith("estimate:")
    gpu = llm_profile("llm_8b", "int4", "g6.xlarge")
    assert gpu.estimate is True and "L4 data sheet" in gpu.timing_source
    assert gpu.info["stands_for"].startswith("Meta Llama 3.1 8B") and gpu.info["quality"]["mmlu_5shot_instruct"] == 69.4
    assert "llama3_1/MODEL_CARD.md" in gpu.info["quality_source"]


def test_tensor_parallel_splits_a_step_and_pays_for_all_reduces() -> None:
    one, four = llm_profile("llm_70b", "int4", "p5.48xlarge", 2), llm_profile("llm_70b", "int4", "p5.48xlarge", 8)
    assert four.decode_ms(1, 1000) < one.decode_ms(1, 1000)
    # Eight GPUs read a quarter of what two read per step, but every layer adds all-reduce latency.
    assert four.decode_ms(1, 1000) > one.decode_ms(1, 1000) / 4


@pytest.mark.parametrize(("args", "field", "message"), [
    (("gpt-5", "fp16", "g5.xlarge"), "model_class", "'gpt-5' is not a model class; known: reference_34m"),
    ((None, "fp16", "g5.xlarge"), "model_class", "must be a name (a string), not None"),
    (("llm_8b", "fp8", "g5.xlarge"), "precision", "'fp8' is not a precision; known: fp16, int8, int4, fp32"),
    (("llm_8b", "fp16", "z9.huge"), "instance", "'z9.huge' is not an instance type"),
    (("llm_8b", "fp16", None), "instance", "must be a name"),
    (("llm_8b", "fp16", "cache.r6g.large"), "instance", "is a managed cache, not a machine"),
    (("llm_8b", "fp32", "g5.xlarge"), "precision", "fp32 is the reference transformer's CPU precision"),
    (("llm_70b", "fp16", "g5.xlarge"), "instance", "needs 141.1 GB of weights, more than the 21.6 GB usable"),
    (("llm_8b", "fp16", "p4d.24xlarge", 3), "tensor_parallel", "p4d.24xlarge has 8 GPU(s): choose a divisor of 8"),
    (("llm_8b", "fp16", "c6i.xlarge", 2), "tensor_parallel", "a CPU replica runs on one thread"),
    (("llm_8b", "fp16", "g5.xlarge", 0), "tensor_parallel", "must be a whole number of GPUs from 1"),
])
def test_unknown_or_impossible_choices_are_refused_with_a_message(args: tuple, field: str, message: str) -> None:
    with pytest.raises(LlmConfigError, match="^" + field) as raised:
        llm_profile(*args)
    assert raised.value.field == field and message in str(raised.value)


def test_every_instance_has_a_price_and_a_speed_for_every_model_family_and_gpus_their_data_sheet() -> None:
    table = price_table()
    for name, spec in INSTANCE_TYPES.items():
        assert hourly_price(name) >= 0 and table["instances"][name]["source"]
        for family in ("linear", "trees", "knn", "embedding"):
            factor, basis = speed_factor(name, family)
            assert factor > 0 and basis
        if spec.get("gpu"):
            sheet = table["gpus"][spec["gpu"]]
            assert sheet["source"] and sheet["memory_gb"] > 0 and sheet["int8_tops"] >= sheet["fp16_tflops"] > 0
    assert {"g6.xlarge", "g6e.xlarge", "p4d.24xlarge", "p5.48xlarge"} <= set(LLM_INSTANCES)
    for model_class in MODEL_CLASS_IDS:  # every class can be served somewhere
        assert llm_profile(model_class, "int4" if model_class != "reference_34m" else "fp32",
                           "p5.48xlarge" if model_class != "reference_34m" else "c6i.large",
                           ).kv_capacity_tokens > 0


def test_gpu_roofline_stays_near_the_published_serving_benchmarks() -> None:
    # The GPU efficiencies are stated assumptions, not fitted to these figures. Throughputs (many
    # steps) land within 25% of NVIDIA's published TensorRT-LLM figures and the batch-1 decode rate
    # within 10% of the cited vLLM run; first-token latencies of short prompts are under-estimated
    # (the published figures include per-request work a step model lacks), so they are only held
    # to a factor of three. The README tabulates every row.
    rows = comparison()
    assert len(rows) >= 15
    for row in rows:
        limit = {"output tok/s per GPU": 0.25, "tok/s at batch 1": 0.10}.get(row["unit"])
        if limit is not None:
            assert abs(row["error"]) <= limit, row
        else:
            assert 1 / 3 <= row["roofline"] / row["published"] <= 3, row


def test_llm_costs_read_the_cached_profile_when_current_else_the_reference(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PROFILE_DIR_ENV, str(tmp_path))  # an empty cache
    reset_llm_cache()
    try:
        cost = llm_profile("reference_34m", "fp32", "c6i.xlarge")
        assert cost.info["profile_origin"] == "reference"
        assert "reference profile measured on" in cost.timing_source
    finally:
        reset_llm_cache()


def test_profile_command_builds_only_the_transformer_when_asked(
        quick_profile: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from simulator.models.cli import main, wants_llm

    # A current quick profile in the folder is reused, so the command runs in a moment.
    (tmp_path / f"{PROFILE_ID}.json").write_text(json.dumps(quick_profile))
    assert main(["--quick", "--llm-only", "--dir", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == [f"{PROFILE_ID}.json"]
    out = capsys.readouterr().out
    assert "1 profile(s)" in out and f"{PROFILE_ID}: 7 step shapes" in out
    assert wants_llm(None, False, False) == (list(MODELS), True)  # everything by default
    assert wants_llm(["ctr_logreg"], False, False) == (["ctr_logreg"], False)
    assert wants_llm(None, False, True) == (list(MODELS), False)
