"""The Celery app of the worker: ``celery -A {{ cookiecutter.package_name }}.worker worker`` runs it.

The tasks are in tasks.py. The API sends them through a Celery app of its own with
the same configuration, made to fail fast (``task_queue.api_config``): start both
with the same environment.
"""

from celery import Celery

from .config import Settings, celery_config

settings = Settings()
celery_app = Celery(__name__, include=[f"{__package__}.tasks"])
celery_app.conf.update(celery_config(settings))
