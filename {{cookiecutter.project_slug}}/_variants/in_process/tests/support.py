"""Helpers for the tests: waiting with a deadline, holding tasks back, an app to fuzz."""

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.log_file import append_line
from {{ cookiecutter.package_name }}.main import create_app

# Upper bound for anything a test waits on: reaching it means the test failed.
WAIT_SECONDS = 5.0


def app_for_fuzzing() -> FastAPI:
    """The app, its tasks writing to the null device: the fuzzer sends thousands."""
    return create_app(Settings(log_file=Path(os.devnull)))


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` until it holds; fail after ``WAIT_SECONDS``."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


class WriteGate:
    """Holds every log write of the tasks until the test releases it."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self._released = threading.Event()
        self._written = threading.Condition()
        self._count = 0

    def write(self, path: Path, text: str) -> None:
        self.started.set()
        if not self._released.wait(WAIT_SECONDS):
            raise TimeoutError("the test never released the write")
        append_line(path, text)
        with self._written:
            self._count += 1
            self._written.notify_all()

    def wait_until_started(self) -> None:
        assert self.started.wait(WAIT_SECONDS), "no task started"

    def release(self) -> None:
        self._released.set()

    def wait_until_written(self, count: int) -> None:
        with self._written:
            done = self._written.wait_for(lambda: self._count >= count, WAIT_SECONDS)
        assert done, f"{self._count} of {count} writes finished"
