"""Helpers of the template's proofs for an in-process project. The project's own
fixtures (app, client, live_client, log_file, read_log) come from its
tests/conftest.py, loaded with ``-p tests.conftest``."""

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from background_tasks_app import tasks
from background_tasks_app.config import Settings
from background_tasks_app.log_file import append_line
from background_tasks_app.main import create_app

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

    def write(self, path: Path, text: str) -> None:
        self.started.set()
        if not self._released.wait(WAIT_SECONDS):
            raise TimeoutError("the test never released the write")
        append_line(path, text)

    def wait_until_started(self) -> None:
        assert self.started.wait(WAIT_SECONDS), "no task started"

    def release(self) -> None:
        self._released.set()


@pytest.fixture
def write_gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[WriteGate]:
    """Make the tasks slow: each write waits until the test releases the gate."""
    gate = WriteGate()
    monkeypatch.setattr(tasks, "append_line", gate.write)
    yield gate
    gate.release()


@pytest.fixture
def http(client: TestClient) -> TestClient:
    """The client the common proofs send their requests with."""
    return client


@pytest.fixture
def scheduled(read_log: Callable[[], list[str]]) -> Callable[[], list[str]]:
    """What the requests of a common proof have had written so far."""
    return read_log
