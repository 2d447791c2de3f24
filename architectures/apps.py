"""App configuration for boards."""

from django.apps import AppConfig


class ArchitecturesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "architectures"
    verbose_name = "Boards"
