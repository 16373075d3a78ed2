"""What the server logs, as a test sees it: logging set up as the app's lifespan sets
it up, written to a stream of the test's own."""

import io
import logging
import sys
from collections.abc import Iterator

import pytest

from {{ cookiecutter.package_name }}.logging_config import (
    LogFormat,
    LogLevel,
    configure_logging,
)


class ServerLog:
    """The lines logged with logging set up as the server sets it up, to a stream of
    the test's own."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    def configure(
        self, level: LogLevel = "INFO", log_format: LogFormat = "text"
    ) -> None:
        configure_logging(level, log_format)
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(self.stream)

    def lines(self) -> list[str]:
        return self.stream.getvalue().splitlines()


@pytest.fixture
def server_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerLog]:
    """What the server logs (text, INFO), whichever of this fixture and the app's
    lifespan sets up logging last: both write to the stream of ``ServerLog``."""
    server_log = ServerLog()
    monkeypatch.setattr(sys, "stderr", server_log.stream)
    server_log.configure()
    yield server_log
    logging.getLogger().handlers.clear()
