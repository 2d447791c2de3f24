"""`python -m simulator profile`: train the catalog models and measure their profiles and the reference
transformer's serving steps, with a progress bar."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from tqdm import tqdm

from simulator.models.build import build_profiles
from simulator.models.llm_profiling import PROFILE_ID, build_llm_profile
from simulator.models.registry import MODELS
from simulator.models.store import REFERENCE_DIR, default_folder


def progress_bar(total_hint: int, stream: Any = None,
                 unit: str = "model") -> tuple[Callable[[int, int, str], None], Callable[[], None]]:
    """(callback for build_profiles or build_llm_profile, close) drawing a tqdm bar over the models
    (or the transformer's step shapes)."""
    bar = tqdm(total=total_hint, unit=unit, file=stream or sys.stderr, dynamic_ncols=True)

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
    p.add_argument("--as-served", action="store_true",
                   help="time each predict after an idle moment, as a model server below its capacity sees the "
                        "model (needs --dir: the catalog's own profiles stay timed back to back)")
    p.add_argument("--reference", action="store_true",
                   help=f"write the committed reference set ({REFERENCE_DIR.relative_to(REFERENCE_DIR.parents[2])})")
    llm = p.add_mutually_exclusive_group()
    llm.add_argument("--llm-only", action="store_true",
                     help="measure only the reference transformer's serving steps (prefill, decode, mixed)")
    llm.add_argument("--skip-llm", action="store_true",
                     help="do not measure the reference transformer (it is measured when --models is not given)")
    return p


def wants_llm(models: Sequence[str] | None, llm_only: bool, skip_llm: bool) -> tuple[list[str], bool]:
    """(catalog models to build, whether to measure the transformer): everything by default; naming
    catalog models builds only those; --llm-only only the transformer."""
    if llm_only:
        return [], True
    return list(models or MODELS), not skip_llm and not models


def llm_summary(profile: dict[str, Any]) -> str:
    """One line on the transformer's profile: a few measured steps and how well the roofline fits."""
    fit = profile["roofline"]
    cells = {c["key"]: c["cpu"]["p50_ms"] for c in profile["cells"]}
    shown = ", ".join(f"{key} {ms:.1f} ms" for key, ms in list(cells.items())[:3])
    return (f"{PROFILE_ID}: {len(cells)} step shapes ({shown}, ...); roofline within "
            f"{fit['max_error_fitted']:.0%} on fitted steps, {fit['max_error_check']:.0%} on the others; "
            f"load average {profile['load_average_1m']}")


def main(argv: Sequence[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.as_served and args.dir is None:
        p.error("--as-served needs --dir: the catalog's own profiles stay timed back to back")
    directory = REFERENCE_DIR if args.reference else args.dir
    ids, llm = wants_llm(args.models, args.llm_only, args.skip_llm)
    force = args.force or args.reference
    start = time.perf_counter()
    profiles: dict[str, dict[str, Any]] = {}
    if ids:
        update, close = progress_bar(len(ids))
        try:
            profiles = build_profiles(ids, quick=args.quick, force=force, directory=directory,
                                      served=args.as_served, progress=update)
        finally:
            close()
    llm_profile = None
    if llm:
        update, close = progress_bar(1, unit="step shape")
        try:
            llm_profile = build_llm_profile(quick=args.quick, force=force, directory=directory, progress=update)
        finally:
            close()
    where = directory or default_folder(args.quick)
    print(f"{len(profiles) + (llm_profile is not None)} profile(s) in {where} ({time.perf_counter() - start:.1f} s)")
    if profiles:
        print(f"{'model':<24} {'p50 b=1 ms':>11} {'p50 b=64 ms':>12}  quality")
    for model_id, profile in profiles.items():
        t = profile["timings"]
        at64 = f"{t['64']['p50_ms']:.3f}" if "64" in t else "-"
        quality = ", ".join(f"{k} {v:.3f}" for k, v in profile["quality"].items())
        print(f"{model_id:<24} {t['1']['p50_ms']:>11.3f} {at64:>12}  {quality}")
    if llm_profile is not None:
        print(llm_summary(llm_profile))
    return 0
