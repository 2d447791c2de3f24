"""The Django project: settings, URLs, ASGI routing, the Celery app and the pages."""

from whiteboard.celery import app as celery_app

__all__ = ("celery_app",)
