"""`python -m simulator profile`: train the catalog models and measure their profiles, with a progress bar."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from tqdm import tqdm

from simulator.models.build import build_profiles
from simulator.models.registry import MODELS
from simulator.models.store import REFERENCE_DIR, default_folder


def progress_bar(total_hint: int, stream: Any = None) -> tuple[Callable[[int, int, str], None], Callable[[], None]]:
    """(callback for build_profiles, close) drawing a tqdm bar over the models."""
    bar = tqdm(total=total_hint, unit="model", file=stream or sys.stderr, dynamic_ncols=True)

    def update(done: int, total: int, model_id: str) -> None:
        bar.total = total
        bar.n = done
        bar.set_description(model_id or "done", refresh=False)
        bar.refresh()
    return update, bar.close


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m simulator profile",
                                description="Train the catalog's models and measure their predict timings.")
    p.add_argument("--models", nargs="+", choices=list(MODELS), metavar="MODEL",
                   help=f"models to profile (default: all): {', '.join(MODELS)}")
    p.add_argument("--quick", action="store_true", help="few batch sizes and repetitions (seconds; for tests)")
    p.add_argument("--force", action="store_true", help="rebuild even if this machine's profiles are cached")
    p.add_argument("--dir", type=Path, help="write profiles here instead of this machine's cache folder")
    p.add_argument("--reference", action="store_true",
                   help=f"write the committed reference set ({REFERENCE_DIR.relative_to(REFERENCE_DIR.parents[2])})")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    directory = REFERENCE_DIR if args.reference else args.dir
    ids = args.models or list(MODELS)
    update, close = progress_bar(len(ids))
    start = time.perf_counter()
    try:
        profiles = build_profiles(ids, quick=args.quick, force=args.force or args.reference,
                                  directory=directory, progress=update)
    finally:
        close()
    where = directory or default_folder(args.quick)
    print(f"{len(profiles)} profile(s) in {where} ({time.perf_counter() - start:.1f} s)")
    print(f"{'model':<24} {'p50 b=1 ms':>11} {'p50 b=64 ms':>12}  quality")
    for model_id, profile in profiles.items():
        t = profile["timings"]
        at64 = f"{t['64']['p50_ms']:.3f}" if "64" in t else "-"
        quality = ", ".join(f"{k} {v:.3f}" for k, v in profile["quality"].items())
        print(f"{model_id:<24} {t['1']['p50_ms']:>11.3f} {at64:>12}  {quality}")
    return 0
