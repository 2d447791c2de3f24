"""Roofline model of an LLM serving step: its time from the FLOPs it does and the bytes it reads.

A step (as vLLM schedules one, chunked prefill and decode together) is described by four numbers:

    n  prefill_tokens   prompt tokens processed in the step (all prompt chunks together)
    b  decode_seqs      running sequences each producing one token
    c  context_tokens   sum over the b sequences of the tokens each attends to (its context, new token included)
    a  prefill_pairs    (query, key) pairs of the prompt tokens' causal attention: a chunk of k tokens
                        after o cached ones has k*o + k*(k+1)/2 (`prefill_pairs(k, o)`)

and its time is the closed form of eight numbers, `step_params`:

    step_ms = overhead_ms
              + ((token_ms * (n + b) + logit_ms * b) ** p
                 + (weights_ms + repack_ms * [n + b > 1]) ** p) ** (1 / p)
              + context_ms * c
              + pair_ms * a

- dense layers: every token goes through every weight matrix (2 FLOPs a weight: token_ms), each
  produced token through the output head (logit_ms), and the step reads all weights once
  (weights_ms). Compute and weight reads overlap; `p` (overlap) says how well: p = 1 adds them,
  a large p gives the textbook roofline max(compute, memory);
- repack_ms is a CPU's: its matrix-matrix kernels copy (pack) the weights they read, which the
  matrix-vector product of a one-token step skips (0 on a GPU);
- decode attention reads each context token's keys and values once per step (context_ms, the
  larger of its FLOPs at the attention throughput and its bytes at the KV-read bandwidth);
- prefill attention is compute: 4 FLOPs a head dimension per pair in every layer (pair_ms);
- overhead_ms is the fixed cost of a step (scheduling, kernel launches, sampling; on a CPU the
  interpreter's work per operation), plus tensor parallelism's all-reduce latency per layer.

The CPU device's effective throughputs, bandwidths and overlap are fitted to the measured profile
of the reference transformer, its overhead measured apart (`fit_cpu`); a GPU's come from its data
sheet times stated efficiencies (llm.py).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Iterable, Sequence

PARAM_NAMES = ("overhead_ms", "weights_ms", "repack_ms", "token_ms", "logit_ms", "context_ms", "pair_ms",
               "overlap")


def prefill_pairs(tokens: int, offset: int = 0) -> int:
    """Causal attention (query, key) pairs of a prompt chunk of `tokens` after `offset` cached ones."""
    return tokens * offset + tokens * (tokens + 1) // 2


def step_ms(params: Sequence[float], prefill_tokens: float, decode_seqs: float, context_tokens: float,
            prefill_pairs: float) -> float:
    """The closed form above; a step with no tokens takes no time."""
    overhead, weights, repack, token, logit, context, pair, overlap = params
    tokens = prefill_tokens + decode_seqs
    if tokens <= 0:
        return 0.0
    compute = token * tokens + logit * decode_seqs
    read = weights + repack if tokens > 1 else weights
    dense = (compute ** overlap + read ** overlap) ** (1.0 / overlap)
    return overhead + dense + context * context_tokens + pair * prefill_pairs


@dataclass(frozen=True)
class StepShape:
    prefill_tokens: int
    decode_seqs: int
    context_tokens: int
    prefill_pairs: int


@dataclass(frozen=True)
class Precision:
    """How a model's numbers are stored and computed."""

    name: str
    weight_bytes: float  # a weight of the dense (attention and feed-forward) layers
    embedding_bytes: float  # embeddings and the output head: quantised checkpoints keep them at 16 bits
    kv_bytes: float  # one cached key or value element
    compute: str  # the data-sheet peak the dense layers run at: "fp32", "fp16" or "int8"
    description: str


FP32 = Precision("fp32", 4.0, 4.0, 4.0, "fp32", "32-bit floats throughout: the reference transformer as measured")
PRECISIONS = {p.name: p for p in (
    Precision("fp16", 2.0, 2.0, 2.0, "fp16", "16-bit weights, activations and KV cache (fp16 or bf16)"),
    Precision("int8", 1.0, 2.0, 1.0, "int8",
              "8-bit weights and activations (W8A8 int8, or FP8 on GPUs that have it) on the 8-bit tensor "
              "cores, with an 8-bit KV cache (vLLM's fp8 KV cache)"),
    Precision("int4", 0.5 + 2.0 / 128, 2.0, 2.0, "fp16",
              "4-bit weights with one fp16 scale per group of 128 (AWQ/GPTQ), dequantised to fp16 for the "
              "matrix products, fp16 activations and KV cache"),
    FP32,
)}


@dataclass(frozen=True)
class Architecture:
    """A decoder's shape, with the names of a Hugging Face Llama config.json."""

    layers: int
    hidden: int
    heads: int
    kv_heads: int
    intermediate: int
    vocab: int
    tied_embeddings: bool

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Architecture":
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})

    @classmethod
    def from_transformer(cls, config: "Architecture") -> "Architecture":
        """The architecture part of a runnable transformer's config."""
        return cls(**{name: getattr(config, name) for name in cls.__dataclass_fields__})

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads

    def dense_params(self) -> int:
        hd = self.head_dim
        attention = self.hidden * (self.heads + 2 * self.kv_heads) * hd + self.heads * hd * self.hidden
        return self.layers * (attention + 3 * self.hidden * self.intermediate)

    def embedding_params(self) -> int:
        return self.vocab * self.hidden * (1 if self.tied_embeddings else 2)

    def norm_params(self) -> int:
        return (2 * self.layers + 1) * self.hidden

    def parameters(self) -> int:
        return self.dense_params() + self.embedding_params() + self.norm_params()

    def weights_bytes(self, precision: Precision) -> int:
        """Bytes of all weights in memory."""
        return math.ceil(self.dense_params() * precision.weight_bytes
                         + (self.embedding_params() + self.norm_params()) * precision.embedding_bytes)

    def streamed_bytes(self, precision: Precision) -> float:
        """Bytes a step reads: the dense layers and the output head (the input embedding only at the
        rows of the step's tokens, too few to count)."""
        return self.dense_params() * precision.weight_bytes + self.vocab * self.hidden * precision.embedding_bytes

    def token_flops(self) -> float:
        return 2.0 * self.dense_params()

    def logit_flops(self) -> float:
        return 2.0 * self.hidden * self.vocab

    def pair_flops(self) -> float:
        """Q.K and P.V for one (query, key) pair in every head of every layer."""
        return 4.0 * self.layers * self.heads * self.head_dim

    def kv_bytes_per_token(self, precision: Precision) -> int:
        return math.ceil(2 * self.layers * self.kv_heads * self.head_dim * precision.kv_bytes)


@dataclass(frozen=True)
class Device:
    """Effective (achieved, not peak) rates of one device, and how a step's parts overlap on it."""

    name: str
    dense_flops: float  # FLOP/s of the dense layers' matrix products
    attention_flops: float  # FLOP/s of attention
    bandwidth: float  # bytes/s of the weight reads
    kv_bandwidth: float  # bytes/s of decode attention's key and value reads
    overhead_ms: float
    overlap: float
    pack_bandwidth: float = 0.0  # bytes/s of a CPU's copying of weights in matrix-matrix products (0: none)
    allreduce_latency_s: float = 0.0  # per all-reduce when tensor parallel
    link_bandwidth: float = 0.0  # bytes/s per direction between the GPUs of one instance (0: none)


def step_params(arch: Architecture, precision: Precision, device: Device, tensor_parallel: int = 1,
                time_factor: float = 1.0) -> tuple[float, ...]:
    """The seven numbers of the closed form (PARAM_NAMES) for a model on a device.

    With tensor parallelism t the weights, FLOPs and KV cache split t ways, and every layer adds two
    all-reduces of the step's activations (16-bit, ring: 2 (t-1)/t of them cross each link) and
    their latency. `time_factor` scales every time (a CPU instance slower than the profiled core).
    """
    t = tensor_parallel
    ms = 1000.0 * time_factor
    comm_per_token = 0.0
    overhead = device.overhead_ms
    if t > 1:
        if device.link_bandwidth <= 0:
            raise ValueError(f"{device.name} has no link between devices for tensor parallelism")
        comm_per_token = 2 * arch.layers * 2.0 * (t - 1) / t * arch.hidden * 2.0 / device.link_bandwidth
        overhead += 2 * arch.layers * device.allreduce_latency_s * 1000.0
    kv_per_gpu = arch.kv_bytes_per_token(precision) / t
    pair = arch.pair_flops() / t / device.attention_flops
    streamed = arch.streamed_bytes(precision) / t
    return (overhead * time_factor,
            streamed / device.bandwidth * ms,
            streamed / device.pack_bandwidth * ms if device.pack_bandwidth > 0 else 0.0,
            (arch.token_flops() / t / device.dense_flops + comm_per_token) * ms,
            arch.logit_flops() / t / device.dense_flops * ms,
            max(pair, kv_per_gpu / device.kv_bandwidth) * ms,
            pair * ms,
            device.overlap)


def predict(params: Sequence[float], shape: StepShape) -> float:
    return step_ms(params, shape.prefill_tokens, shape.decode_seqs, shape.context_tokens, shape.prefill_pairs)


def _shape(cell: dict[str, Any]) -> StepShape:
    return StepShape(*(int(cell[name]) for name in StepShape.__dataclass_fields__))


def _device(x: Sequence[float], overhead_ms: float) -> Device:
    dense, bandwidth, kv_bandwidth, attention, overlap, pack = (math.exp(v) for v in x)
    return Device("this machine's core (fitted)", dense_flops=dense, attention_flops=attention,
                  bandwidth=bandwidth, kv_bandwidth=kv_bandwidth, overhead_ms=overhead_ms, overlap=1.0 + overlap,
                  pack_bandwidth=pack)


def relative_errors(params: Sequence[float], cells: Iterable[dict[str, Any]]) -> dict[str, float]:
    """(predicted - measured) / measured of each cell's median CPU time."""
    return {cell["key"]: predict(params, _shape(cell)) / cell["cpu"]["p50_ms"] - 1.0 for cell in cells}


def fit_cpu(arch: Architecture, precision: Precision, cells: list[dict[str, Any]],
            overhead_ms: float) -> dict[str, Any]:
    """Fit the CPU device to the median CPU times of the cells marked `fit`, by least squares on
    log(predicted / measured) so that a 1 ms step weighs as much as a 1 s one; report every cell's
    error. The overhead is measured apart (a step of a tiny model of the same depth): with a
    single model size it cannot be told from the weight reads, which also cost every step alike.

    Fitted: dense FLOP/s, weight-read bandwidth, KV-read bandwidth, attention FLOP/s, the overlap
    and the weight-packing bandwidth.
    """
    from scipy.optimize import least_squares  # noqa: PLC0415 (only profiling fits; serving reads the result)

    fitted = [cell for cell in cells if cell["fit"]]
    shapes = [_shape(cell) for cell in fitted]
    measured = [cell["cpu"]["p50_ms"] for cell in fitted]

    def residuals(x: Sequence[float]) -> list[float]:
        params = step_params(arch, precision, _device(x, overhead_ms))
        return [math.log(predict(params, s) / m) for s, m in zip(shapes, measured)]

    log = math.log
    start = [log(40e9), log(10e9), log(10e9), log(20e9), log(1.0), log(10e9)]
    lower = [log(1e8), log(1e8), log(1e8), log(1e8), log(1e-2), log(1e8)]
    upper = [log(1e13), log(1e12), log(1e12), log(1e13), log(30.0), log(1e13)]
    solution = least_squares(residuals, start, bounds=(lower, upper))
    device = _device(solution.x, overhead_ms)
    params = step_params(arch, precision, device)
    errors = relative_errors(params, cells)
    check = [abs(errors[c["key"]]) for c in cells if not c["fit"]]
    return {"device": asdict(device), "step_params": dict(zip(PARAM_NAMES, params)),
            "fit_cells": [c["key"] for c in fitted], "errors": {k: round(v, 4) for k, v in errors.items()},
            "max_error_fitted": round(max(abs(errors[c["key"]]) for c in fitted), 4),
            "max_error_check": round(max(check), 4) if check else None}
