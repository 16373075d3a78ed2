"""The Celery app of the worker and the scheduler: ``celery -A
{{ cookiecutter.package_name }}.worker worker --beat`` runs both in one process.

The tasks are in tasks.py. The API sends them through a Celery app of its own with
the same configuration, made to fail fast (``task_queue.api_config``): start both
with the same environment.
"""

from typing import Any

from celery import Celery, signals

from .config import Settings, celery_config, ensure_writable_folder
from .log_file import ensure_appendable
from .logging_config import configure_logging
from .request_id import TaskWithRequestId
from .result_backend import Loader

settings = Settings()
celery_app = Celery(
    __name__,
    include=[f"{__package__}.tasks"],
    loader=Loader,
    task_cls=TaskWithRequestId,
)
celery_app.conf.update(celery_config(settings))


@signals.setup_logging.connect
def set_up_logging(**_: Any) -> None:
    """Log as the API does (logging_config.py), at ``APP_LOG_LEVEL`` whatever
    ``--loglevel`` says: with a receiver for this signal, Celery sets up no logging of
    its own, in the worker, its pool processes and celery beat."""
    configure_logging(settings.log_level, settings.log_format)


def check_worker_paths(settings: Settings) -> None:
    """Check what the worker's tasks write: the log file and the record of sent
    notifications. Raises ValueError naming the setting that is wrong."""
    ensure_appendable(settings.log_file, "APP_LOG_FILE")
    ensure_writable_folder(settings.data_dir / "sent")


@signals.worker_init.connect
def stop_on_a_bad_path(**_: Any) -> None:
    """At the worker's start, before it takes a task: stop with one line if it could
    not write its work (Celery logs and ignores an Exception from a signal handler,
    not SystemExit)."""
    try:
        check_worker_paths(settings)
    except ValueError as error:
        raise SystemExit(f"ERROR: {error}") from None


@signals.import_modules.connect(sender=celery_app)
def stop_on_a_bad_data_dir(**_: Any) -> None:
    """At the start of celery beat (and of the worker), before beat opens its schedule
    file in ``APP_DATA_DIR``, which beat_init comes too late for: stop with one line
    if that folder cannot be written."""
    try:
        ensure_writable_folder(settings.data_dir)
    except ValueError as error:
        raise SystemExit(f"ERROR: {error}") from None
