"""LLM serving costs for the engines: a step's time in closed form, KV-cache capacity, provenance.

    llm_profile(model_class, precision, instance, tensor_parallel=1) -> LlmCost

- `model_class`: one of MODEL_CLASS_IDS ("reference_34m", "llm_1b", "llm_8b", "llm_70b"); each
  names the published model it stands for and its architecture (llm_classes.json).
- `precision`: "fp16", "int8", "int4" (and "fp32", the reference transformer's own, CPU only).
- `instance`: an instance type of simulator/instances.py that is a machine (CPU or GPU).
- `tensor_parallel`: GPUs of the instance one replica spreads over (1 on a CPU).

A bad argument raises LlmConfigError (a ValueError) whose `field` names the argument and whose
message says what is allowed. The answer is cached per argument tuple.

`LlmCost.step_params` is a tuple of eight floats (roofline.PARAM_NAMES) from which a step's time is

    step_ms = overhead_ms
              + ((token_ms * (n + b) + logit_ms * b) ** overlap
                 + (weights_ms + repack_ms * [n + b > 1]) ** overlap) ** (1 / overlap)
              + context_ms * c + pair_ms * a

for n prefill tokens, b decoding sequences, c context tokens they attend to (summed, new tokens
included) and a prefill attention pairs (`roofline.prefill_pairs(k, offset)` per prompt chunk);
`LlmCost.step_ms(n, b, c, a)` is that formula in Python, for reference and tests.

Where the step time comes from:
- the reference transformer on a CPU instance: the roofline fitted to its profile measured on this
  machine (or the committed reference profile), times the instance's CPU factor. A fit, not
  interpolation of the grid: a serving step mixes prefill and decode in shapes no grid covers, and
  the fit predicts measured steps it was not fitted on within 15% (tests/simulator/test_llm_models.py);
- larger model classes on a CPU instance: the same fitted CPU device, extrapolated (an estimate);
- any model on a GPU instance: the roofline at the GPU's data-sheet peak and bandwidth times the
  stated efficiencies (an estimate; checked against published benchmarks, llm_check.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from simulator.instances import INSTANCE_TYPES, cpu_factor, gpu_spec
from simulator.models import roofline
from simulator.models.store import REFERENCE_DIR, machine_dir, read_profile

DATA_PATH = Path(__file__).parent / "llm_classes.json"
GIB = 2 ** 30
GB = 10 ** 9
MACHINE_FAMILIES = ("compute", "general", "memory", "gpu")


@lru_cache(maxsize=1)
def llm_data() -> dict[str, Any]:
    """Model classes, GPU serving assumptions and published benchmarks, each with its source."""
    with open(DATA_PATH, encoding="utf-8") as handle:
        return json.load(handle)


MODEL_CLASS_IDS: tuple[str, ...] = tuple(llm_data()["model_classes"])
PRECISION_IDS: tuple[str, ...] = tuple(roofline.PRECISIONS)
REFERENCE_CLASS = "reference_34m"
LLM_INSTANCES: tuple[str, ...] = tuple(name for name, spec in INSTANCE_TYPES.items()
                                       if spec["family"] in MACHINE_FAMILIES)


class LlmConfigError(ValueError):
    """A model class, precision, instance or tensor-parallel degree that cannot be served."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True)
class LlmCost:
    """What an LLM replica costs: its step-time coefficients, its memory, and their provenance."""

    model_class: str
    precision: str
    instance: str
    tensor_parallel: int
    step_params: tuple[float, ...]  # roofline.PARAM_NAMES, for step_ms
    kv_capacity_tokens: int  # KV-cache tokens that fit beside the weights in the replica's memory
    weights_bytes: int
    kv_bytes_per_token: int
    memory_bytes: int  # the replica's usable memory: GPU memory x tensor_parallel (or RAM) x utilisation
    timing_source: str
    estimate: bool
    info: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def step_ms(self, prefill_tokens: float = 0, decode_seqs: float = 0, context_tokens: float = 0,
                prefill_pairs: float | None = None) -> float:
        """One step's time in ms (the module's formula). Without `prefill_pairs` the prefill
        tokens are taken as one prompt from its start: n (n + 1) / 2 pairs."""
        pairs = roofline.prefill_pairs(int(prefill_tokens)) if prefill_pairs is None else prefill_pairs
        return roofline.step_ms(self.step_params, prefill_tokens, decode_seqs, context_tokens, pairs)

    def prefill_ms(self, prompt_tokens: int) -> float:
        """A lone prompt's prefill step: the time to first token on an idle replica."""
        return self.step_ms(prefill_tokens=prompt_tokens)

    def decode_ms(self, batch: int, context_per_seq: int) -> float:
        """A decode step of `batch` sequences that each attend to `context_per_seq` tokens."""
        return self.step_ms(decode_seqs=batch, context_tokens=batch * context_per_seq)


def _model_class(model_class: Any) -> dict[str, Any]:
    classes = llm_data()["model_classes"]
    if model_class not in classes:
        raise LlmConfigError("model_class", f"{model_class!r} is not a model class; known: {', '.join(classes)}")
    return classes[model_class]


def _precision(precision: Any) -> roofline.Precision:
    if precision not in roofline.PRECISIONS:
        raise LlmConfigError("precision", f"{precision!r} is not a precision; known: {', '.join(roofline.PRECISIONS)}")
    return roofline.PRECISIONS[precision]


def _instance(instance: Any) -> dict[str, Any]:
    if instance not in INSTANCE_TYPES:
        raise LlmConfigError("instance", f"{instance!r} is not an instance type; known: {', '.join(LLM_INSTANCES)}")
    spec = INSTANCE_TYPES[instance]
    if spec["family"] not in MACHINE_FAMILIES:
        raise LlmConfigError("instance", f"{instance} is a {spec['family']}, not a machine an LLM server runs "
                                         f"on; choose one of {', '.join(LLM_INSTANCES)}")
    return spec


@lru_cache(maxsize=1)
def cpu_profile() -> tuple[dict[str, Any], str]:
    """(profile, "cache" | "reference"): this machine's measured transformer profile if current,
    else the committed reference profile."""
    from simulator.models.llm_profiling import PROFILE_ID, is_current  # noqa: PLC0415 (NumPy only when asked)

    cached = read_profile(machine_dir(), PROFILE_ID)
    if is_current(cached):
        return cached, "cache"
    reference = read_profile(REFERENCE_DIR, PROFILE_ID)
    if reference is None:
        raise RuntimeError(f"no profile of the reference transformer in {machine_dir()} or {REFERENCE_DIR}; "
                           "run `python -m simulator profile`")
    return reference, "reference"


def _cpu_source(profile: dict[str, Any], origin: str) -> str:
    where = profile["machine"]
    fit = profile["roofline"]
    measured = (f"{where['cpu']} ({where['cores']} cores, NumPy {where['numpy']}, {where['blas']}) on "
                f"{profile['created'][:10]}, load average {profile['load_average_1m']}")
    check = f"within {fit['max_error_check']:.0%} on the steps it was not fitted on"
    if origin == "reference":
        return (f"roofline fitted to the reference transformer's reference profile measured on {measured}, "
                f"{check}; run `python -m simulator profile` to measure on this machine")
    return f"roofline fitted to the reference transformer's steps measured on this machine: {measured}, {check}"


def _gpu_device(gpu: str, spec: dict[str, Any], precision: roofline.Precision,
                link: str | None) -> tuple[roofline.Device, dict[str, Any]]:
    serving = llm_data()["gpu_serving"]
    peak = spec["int8_tops"] if precision.compute == "int8" else spec["fp16_tflops"]
    bandwidth = spec["bandwidth_gbs"] * GB * serving["bandwidth_efficiency"]
    links = llm_data()["interconnects"]
    device = roofline.Device(
        name=gpu, dense_flops=peak * 1e12 * serving["dense_efficiency"],
        attention_flops=spec["fp16_tflops"] * 1e12 * serving["attention_efficiency"],
        bandwidth=bandwidth, kv_bandwidth=bandwidth, overhead_ms=serving["step_overhead_ms"],
        overlap=serving["overlap"],
        allreduce_latency_s=links[link]["allreduce_latency_us"] * 1e-6 if link else 0.0,
        link_bandwidth=links[link]["link_gbs_per_direction"] * GB if link else 0.0)
    assumptions = {name: serving[name] for name in ("dense_efficiency", "attention_efficiency",
                                                    "bandwidth_efficiency", "step_overhead_ms", "overlap",
                                                    "memory_utilization")}
    assumptions["peak_used"] = f"{peak:g} {'TOPS int8' if precision.compute == 'int8' else 'TFLOPS fp16'} dense"
    return device, assumptions


def llm_profile(model_class: str, precision: str, instance: str, tensor_parallel: int = 1) -> LlmCost:
    """The cost of serving `model_class` at `precision` on one `instance`, over `tensor_parallel` GPUs.

    Raises LlmConfigError (its `field` names the argument) for anything that cannot be served,
    None and other non-names included. Cached per argument tuple.
    """
    for name, value in (("model_class", model_class), ("precision", precision), ("instance", instance)):
        if not isinstance(value, str):
            raise LlmConfigError(name, f"must be a name (a string), not {value!r}")
    if not isinstance(tensor_parallel, int) or isinstance(tensor_parallel, bool) or tensor_parallel < 1:
        raise LlmConfigError("tensor_parallel", f"must be a whole number of GPUs from 1, not {tensor_parallel!r}")
    return _llm_profile(model_class, precision, instance, tensor_parallel)


@lru_cache(maxsize=512)
def _llm_profile(model_class: str, precision: str, instance: str, tensor_parallel: int) -> LlmCost:
    entry = _model_class(model_class)
    prec = _precision(precision)
    spec = _instance(instance)
    arch = roofline.Architecture.from_dict(entry["architecture"])
    gpu = spec.get("gpu")
    count = spec.get("gpu_count", 0)
    sources = [entry["architecture_source"]]
    if gpu:
        if prec.name == "fp32":
            raise LlmConfigError("precision", "fp32 is the reference transformer's CPU precision; on a GPU "
                                              f"choose one of {', '.join(p for p in PRECISION_IDS if p != 'fp32')}")
        if tensor_parallel > count or count % tensor_parallel:
            raise LlmConfigError("tensor_parallel", f"{instance} has {count} GPU(s): choose a divisor of {count}")
        for what, heads in (("attention heads", arch.heads), ("KV heads", arch.kv_heads)):
            if heads % tensor_parallel:
                raise LlmConfigError("tensor_parallel", f"{model_class}'s {heads} {what} do not split "
                                                        f"{tensor_parallel} ways")
        gpus = gpu_spec(gpu)
        device, assumptions = _gpu_device(gpu, gpus, prec, spec.get("gpu_link") if tensor_parallel > 1 else None)
        params = roofline.step_params(arch, prec, device, tensor_parallel)
        utilisation = llm_data()["gpu_serving"]["memory_utilization"]
        memory = int(gpus["memory_gb"] * GB * tensor_parallel * utilisation)
        timing_source = (f"roofline estimate from the {gpu} data sheet ({assumptions['peak_used']}, "
                         f"{gpus['bandwidth_gbs']:g} GB/s) at the stated efficiencies (dense "
                         f"{assumptions['dense_efficiency']:.0%}, attention {assumptions['attention_efficiency']:.0%}, "
                         f"bandwidth {assumptions['bandwidth_efficiency']:.0%}) and "
                         f"{assumptions['step_overhead_ms']:g} ms a step")
        estimate = True
        device_text = f"{tensor_parallel} x {gpu}" + (f" ({spec['gpu_link']})" if tensor_parallel > 1 else "")
        sources += [gpus["source"], "efficiencies: simulator/models/llm_classes.json, gpu_serving"]
        origin = None
    else:
        if tensor_parallel != 1:
            raise LlmConfigError("tensor_parallel", f"{instance} has no GPUs: a CPU replica runs on one thread, "
                                                    "so tensor_parallel must be 1")
        profile, origin = cpu_profile()
        device = roofline.Device(**profile["roofline"]["device"])
        factor = cpu_factor(instance)
        params = roofline.step_params(arch, prec, device, 1, time_factor=factor)
        utilisation = llm_data()["cpu_serving"]["memory_utilization"]
        memory = int(spec["memory_gb"] * GIB * utilisation)
        timing_source = _cpu_source(profile, origin)
        measured = model_class == REFERENCE_CLASS and prec.name == "fp32"
        if not measured:
            timing_source = (f"estimate: {timing_source}; extrapolated to {arch.parameters() / 1e9:.2f} B "
                             f"parameters at {prec.name}")
        estimate = not measured
        assumptions = {"cpu_factor": factor, "memory_utilization": utilisation,
                       "fitted_device": profile["roofline"]["device"]}
        device_text = f"one core of {instance} (CPU factor {factor:g})"
        sources.append("simulator/models/reference/reference_transformer.json" if origin == "reference"
                       else "this machine's profile (var/profiles)")
    weights = arch.weights_bytes(prec)
    kv_per_token = arch.kv_bytes_per_token(prec)
    capacity = (memory - weights) // kv_per_token
    if capacity < 1:
        raise LlmConfigError("instance", f"{model_class} at {prec.name} needs {weights / GB:.1f} GB of weights, more "
                                         f"than the {memory / GB:.1f} GB usable on {tensor_parallel} x "
                                         f"{gpu or instance}; choose a bigger instance, more tensor_parallel "
                                         "GPUs or a smaller precision")
    info = {
        "model_class": model_class, "title": entry["title"], "stands_for": entry["stands_for"],
        "parameters": arch.parameters(), "architecture": entry["architecture"],
        "architecture_source": entry["architecture_source"], "max_context": entry["max_context"],
        "quality": entry["quality"], "quality_source": entry["quality_source"],
        "precision": prec.name, "precision_description": prec.description,
        "instance": instance, "device": device_text, "tensor_parallel": tensor_parallel,
        "assumptions": assumptions, "sources": sources, "profile_origin": origin,
        "step_params": dict(zip(roofline.PARAM_NAMES, params)),
        "memory_gb": round(memory / GB, 3), "weights_gb": round(weights / GB, 3),
        "kv_capacity_tokens": int(capacity), "timing_source": timing_source, "estimate": estimate,
    }
    return LlmCost(model_class, prec.name, instance, tensor_parallel, tuple(float(p) for p in params),
                   int(capacity), int(weights), int(kv_per_token), int(memory), timing_source, estimate, info)


def reset_llm_cache() -> None:
    """Forget loaded profiles and costs (after profiles are rebuilt in this process)."""
    cpu_profile.cache_clear()
    _llm_profile.cache_clear()

