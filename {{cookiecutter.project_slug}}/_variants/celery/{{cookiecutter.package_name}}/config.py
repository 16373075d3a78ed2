"""Settings, read from environment variables (or from ``.env``), and the Celery
configuration they give.

The API and the worker read the same variables, so start both from the same directory
with the same environment.
"""

import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from .logging_config import LogFormat, LogLevel


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="APP_",
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        populate_by_name=True,
    )

    log_file: Path = Path("log.txt")
    """The file the worker's tasks append their lines to (``APP_LOG_FILE``); the
    worker creates its folder, or refuses to start if it cannot append to it."""

    data_dir: Path = Path("data")
    """The embedded broker's messages, the task results and the record of sent
    notifications (``APP_DATA_DIR``). The worker, and the API when it uses the
    embedded broker or result files, create it at start-up, or refuse to start if
    they cannot write there."""

    broker_url: str | None = Field(default=None, validation_alias="CELERY_BROKER_URL")
    """``redis://...`` or ``amqp://...``; unset, the embedded broker in ``data_dir``."""

    result_backend: str | None = Field(
        default=None, validation_alias="CELERY_RESULT_BACKEND"
    )
    """``redis://...`` (or ``file:///path``, the path as it is: Celery does not
    decode ``%20``); unset, result files in ``data_dir``."""

    task_queue: str = "notifications"
    """The queue the API sends to and the worker consumes (``APP_TASK_QUEUE``)."""

    broker_timeout: float = 1.0
    """Seconds one try to reach the broker or the result backend may take
    (``APP_BROKER_TIMEOUT``); a request that cannot reach them gets 503 after about
    three tries at most."""

    log_level: Annotated[LogLevel, BeforeValidator(str.upper)] = "INFO"
    """The lowest level of the records logged (``APP_LOG_LEVEL``): DEBUG, INFO,
    WARNING, ERROR or CRITICAL."""

    log_format: Annotated[LogFormat, BeforeValidator(str.lower)] = "text"
    """``text``, one line per record, or ``json``, one JSON object per line for log
    shippers (``APP_LOG_FORMAT``)."""


SOFT_TIME_LIMIT = 30
"""Seconds until a task gets SoftTimeLimitExceeded, a chance to clean up."""
TIME_LIMIT = 60
"""Seconds until the worker kills a task."""
RETRY_BACKOFF_MAX = 60
"""The longest wait, in seconds, between two tries of a task."""
MAX_RETRIES = 5


def ensure_writable_folder(folder: Path) -> Path:
    """Create ``folder`` (under ``APP_DATA_DIR``) and write a file there once.

    Returns ``folder``. Raises ValueError naming ``APP_DATA_DIR`` when a file is in
    the way or the process may not write there, so that a bad setting stops the
    process at start-up instead of failing every request or task later.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except (FileExistsError, NotADirectoryError):
        problem = "a file is in the way"
    except OSError as error:
        problem = error.strerror or str(error)
    else:
        return folder
    raise ValueError(
        f"APP_DATA_DIR: cannot write in {str(folder)!r} ({problem}): set APP_DATA_DIR"
        " to a folder this process can write"
    )


# How a broker URL tells which broker it is, for the settings each one needs.
REDIS_URL_PREFIXES = ("redis://", "rediss://")
RABBITMQ_URL_PREFIXES = ("amqp://", "amqps://", "pyamqp://")


def celery_config(settings: Settings) -> dict[str, Any]:
    """Return the Celery configuration for ``settings``.

    Creates the folders of ``APP_DATA_DIR`` that it uses (the embedded broker's, the
    result files'); raises ValueError, naming the setting, if it cannot write there.
    """
    data_dir = settings.data_dir.resolve()
    config: dict[str, Any] = {
        "broker_url": settings.broker_url or "filesystem://localhost/",
        # Celery reads a file:// path as it is: Path.as_uri()'s %-escapes would stay.
        "result_backend": settings.result_backend
        or f"file://{(data_dir / 'results').as_posix()}",
        "task_default_queue": settings.task_queue,
        # JSON only: a message can never carry pickled code for the worker to run.
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        # Acknowledge a message once its task has run, and hand it back if the worker
        # dies mid-task: every task runs to its end at least once, and
        # write_notification makes a second run harmless.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        # A worker process reserves one message at a time: a slow task holds no other.
        "worker_prefetch_multiplier": 1,
        # A stuck task is interrupted, then killed, instead of blocking its worker.
        "task_soft_time_limit": SOFT_TIME_LIMIT,
        "task_time_limit": TIME_LIMIT,
        # Results are dropped after a day: Redis expires its own, and celery beat
        # sends the daily celery.backend_cleanup task that deletes result files.
        "result_expires": timedelta(days=1),
        "beat_schedule_filename": str(data_dir / "celerybeat-schedule"),
        # A running task reports STARTED, so its status tells running from queued.
        "task_track_started": True,
        # A worker started before its broker waits for it instead of exiting.
        "broker_connection_retry_on_startup": True,
    }
    if settings.result_backend is None:
        ensure_writable_folder(data_dir / "results")
    if settings.broker_url is None:
        folders = {name: data_dir / "broker" / name for name in ("queue", "processed")}
        for folder in folders.values():
            ensure_writable_folder(folder)
        config["broker_transport"] = f"{__package__}.embedded_broker:Transport"
        config["broker_transport_options"] = {
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]),
            "control_folder": str(data_dir / "broker"),
            # New messages are looked for every 20 ms: a round trip stays under 50 ms.
            "polling_interval": 0.02,
        }
    elif settings.broker_url.startswith(REDIS_URL_PREFIXES):
        config["broker_transport_options"] = {
            # Redis hands an unacknowledged message to another worker after this many
            # seconds: it must outlast the longest task plus the longest retry delay,
            # or a task still running would be started a second time.
            "visibility_timeout": 2 * (TIME_LIMIT + RETRY_BACKOFF_MAX),
            # A worker looks for such messages every 10 s (kombu's default only
            # every tenth time, so a dead worker's task came back up to 100 s late).
            "unacked_restore_throttle": 1,
        }
    elif settings.broker_url.startswith(RABBITMQ_URL_PREFIXES):
        # Sending waits for RabbitMQ to confirm it has the message: a message sent on
        # a connection that just died raises (and is sent again) instead of vanishing.
        config["broker_transport_options"] = {"confirm_publish": True}
    return config
