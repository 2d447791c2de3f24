"""`manage.py build_profiles`: measure the model catalog's profiles on this machine (workers run here)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from simulator.models.build import build_profiles
from simulator.models.cli import llm_summary, progress_bar, wants_llm
from simulator.models.llm_profiling import build_llm_profile
from simulator.models.registry import MODELS


class Command(BaseCommand):
    help = ("Train the catalog's small scikit-learn models and measure their predict timings on this machine, "
            "and the reference transformer's serving steps.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--models", nargs="+", choices=list(MODELS), help="models to profile (default: all)")
        parser.add_argument("--quick", action="store_true", help="few batch sizes and repetitions")
        parser.add_argument("--force", action="store_true", help="rebuild even if cached for this machine")
        llm = parser.add_mutually_exclusive_group()
        llm.add_argument("--llm-only", action="store_true", help="measure only the reference transformer")
        llm.add_argument("--skip-llm", action="store_true", help="do not measure the reference transformer")

    def handle(self, *args: Any, **options: Any) -> None:
        ids, llm = wants_llm(options["models"], options["llm_only"], options["skip_llm"])
        if ids:
            update, close = progress_bar(len(ids))  # tqdm draws on sys.stderr with carriage returns
            try:
                profiles = build_profiles(ids, quick=options["quick"], force=options["force"], progress=update)
            finally:
                close()
            for model_id, profile in profiles.items():
                self.stdout.write(f"{model_id}: p50 batch 1 {profile['timings']['1']['p50_ms']:.3f} ms, "
                                  f"quality {profile['quality']}")
        if llm:
            update, close = progress_bar(1, unit="step shape")
            try:
                profile = build_llm_profile(quick=options["quick"], force=options["force"], progress=update)
            finally:
                close()
            self.stdout.write(llm_summary(profile))
