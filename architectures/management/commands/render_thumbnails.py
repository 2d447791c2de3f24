"""`manage.py render_thumbnails`: draw the gallery's template thumbnails ahead of the first visit."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from architectures.thumbnails import template_thumbnail, thumbnail_path
from simulator.casestudies import all_case_studies


class Command(BaseCommand):
    help = "Draw every case-study template's thumbnail into the cache (those already drawn are kept)."

    def handle(self, *args, **options) -> None:
        drawn = 0
        for template in all_case_studies():
            if not thumbnail_path(template).exists():
                template_thumbnail(template)
                drawn += 1
        self.stdout.write(f"{drawn} thumbnails drawn, {len(all_case_studies()) - drawn} already cached")
