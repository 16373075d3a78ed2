"""Settings, read from environment variables prefixed with ``APP_`` or from ``.env``."""

from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from pydantic import BeforeValidator, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .log_file import ensure_appendable
from .logging_config import LogFormat, LogLevel


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="APP_", env_file=".env", extra="ignore", validate_default=True
    )

    log_file: Path = Path("log.txt")
    """The file the background tasks append their lines to (``APP_LOG_FILE``); its
    folder is created, and a path that cannot be appended to refused, at start-up."""

    max_pending_requests: int = Field(default=1000, ge=1)
    """How many requests may have background tasks waiting or running at once
    (``APP_MAX_PENDING_REQUESTS``); past it, new requests get 503 with Retry-After."""

    task_threads: int = Field(default=40, ge=1)
    """How many threads run plain ``def`` background tasks at once
    (``APP_TASK_THREADS``); endpoints and dependencies do not share them."""

    log_level: Annotated[LogLevel, BeforeValidator(str.upper)] = "INFO"
    """The lowest level of the records logged (``APP_LOG_LEVEL``): DEBUG, INFO,
    WARNING, ERROR or CRITICAL."""

    log_format: Annotated[LogFormat, BeforeValidator(str.lower)] = "text"
    """``text``, one line per record, or ``json``, one JSON object per line for log
    shippers (``APP_LOG_FORMAT``)."""

    @field_validator("log_file")
    @classmethod
    def _log_file_is_appendable(cls, log_file: Path) -> Path:
        return ensure_appendable(log_file, "APP_LOG_FILE")


async def get_settings(request: Request) -> Settings:
    """Return the settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]
