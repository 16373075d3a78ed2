"""Settings, read from environment variables (or from ``.env``).

The API and the worker read the same variables, so start both from the same directory
with the same environment.
"""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="APP_",
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        populate_by_name=True,
    )

    log_file: Path = Path("log.txt")
    """The file the tasks append their lines to (``APP_LOG_FILE``)."""

    data_dir: Path = Path("data")
    """The embedded broker's messages, the task results and the record of sent
    notifications (``APP_DATA_DIR``); created when the app starts."""

    broker_url: str | None = Field(default=None, validation_alias="CELERY_BROKER_URL")
    """``redis://...`` or ``amqp://...``; unset, the embedded broker in ``data_dir``."""

    result_backend: str | None = Field(
        default=None, validation_alias="CELERY_RESULT_BACKEND"
    )
    """``redis://...`` or ``file://...``; unset, result files in ``data_dir``."""

    task_queue: str = "notifications"
    """The queue the API sends to and the worker consumes (``APP_TASK_QUEUE``)."""

    broker_timeout: float = 3.0
    """Seconds a request may wait for the broker before it answers 503
    (``APP_BROKER_TIMEOUT``)."""
