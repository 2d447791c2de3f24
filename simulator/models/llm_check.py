"""The GPU roofline against published serving benchmarks, figure by figure, with its errors.

`python -m simulator.models.llm_check` prints what it predicts for each published setup and how
far that is from the published figure.

The setups and figures are in llm_classes.json ("published_benchmarks", each with its source). A
first-token latency is one prefill step; a static-batch throughput (TensorRT-LLM's
gptSessionBenchmark: B prompts of I tokens prefilled together, then O - 1 decode steps of all B)
is B O over the time of those steps; a decode rate at batch 1 is one over a decode step's time at
the run's mean context.
"""

from __future__ import annotations

import sys
from typing import Any

from simulator.instances import INSTANCE_TYPES, gpu_spec
from simulator.models import roofline
from simulator.models.llm import _gpu_device, llm_data


def _architecture(name: str) -> roofline.Architecture:
    data = llm_data()
    entry = data["comparison_architectures"].get(name) or data["model_classes"][name]["architecture"]
    return roofline.Architecture.from_dict(entry)


def _link(gpu: str, tensor_parallel: int) -> str | None:
    """The link of an instance type with enough of these GPUs (the published runs used NVLink
    servers: DGX or HGX)."""
    if tensor_parallel == 1:
        return None
    return next(spec["gpu_link"] for spec in INSTANCE_TYPES.values()
                if spec.get("gpu") == gpu and spec.get("gpu_count", 0) >= tensor_parallel and "NVLink" in spec.get(
                    "gpu_link", ""))


def predicted(row: dict[str, Any]) -> float:
    """The roofline's figure for a published setup, in the published unit."""
    arch = _architecture(row["model"])
    precision = roofline.PRECISIONS[row["precision"]]
    tp = row["tensor_parallel"]
    device, _ = _gpu_device(row["gpu"], gpu_spec(row["gpu"]), precision, _link(row["gpu"], tp))
    params = roofline.step_params(arch, precision, device, tp)
    batch, prompt = row["batch"], row["input"]
    prefill = roofline.step_ms(params, batch * prompt, 0, 0, batch * roofline.prefill_pairs(prompt))
    if row["kind"] == "ttft_ms":
        return prefill
    output = row["output"]
    if row["kind"] == "decode_tokens_per_s":
        return 1000.0 / roofline.step_ms(params, 0, batch, batch * (prompt + output / 2), 0)
    # Decode step j = 1 .. O-1 attends to prompt + j tokens per sequence; all else is the same each step.
    steps = output - 1
    decode_base = roofline.step_ms(params, 0, batch, 0, 0)
    context = batch * (steps * prompt + steps * output / 2)
    total_ms = prefill + steps * decode_base + params[roofline.PARAM_NAMES.index("context_ms")] * context
    return batch * output / (total_ms / 1000.0) / tp  # per GPU, as published


def comparison() -> list[dict[str, Any]]:
    """Every published row with the roofline's figure and its error ((roofline - published) / published)."""
    bench = llm_data()["published_benchmarks"]
    rows = []
    for row in bench["rows"]:
        ours = predicted(row)
        setup = (f"{row['model']} {row['precision']} on {row['tensor_parallel']} x {row['gpu']}, batch {row['batch']}, "
                 f"input {row['input']}" + (f", output {row['output']}" if "output" in row else ""))
        unit = {"ttft_ms": "ms to first token", "static_throughput": "output tok/s per GPU",
                "decode_tokens_per_s": "tok/s at batch 1"}[row["kind"]]
        rows.append({"id": row["id"], "source": row["source"], "setup": setup, "unit": unit,
                     "published": row["published"], "roofline": round(ours, 1),
                     "error": round(ours / row["published"] - 1.0, 3)})
    return rows


def main() -> int:
    rows = comparison()
    print(f"{'setup':<66} {'unit':<22} {'published':>9} {'roofline':>9} {'error':>7}")
    for r in rows:
        print(f"{r['setup']:<66} {r['unit']:<22} {r['published']:>9g} {r['roofline']:>9.1f} {r['error']:>+7.0%}")
    errors = sorted(abs(r["error"]) for r in rows)
    print(f"median |error| {errors[len(errors) // 2]:.0%}, max {errors[-1]:.0%} over {len(rows)} published figures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
