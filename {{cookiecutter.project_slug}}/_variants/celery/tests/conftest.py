"""Fixtures: a Celery worker thread on the project's own app, and API clients.

The app reads its settings from the environment when it is first imported, as the API
and the worker do, so ``pytest_configure`` points it at a folder of its own first.
With CELERY_BROKER_URL (and CELERY_RESULT_BACKEND) set, the tests run against that
Redis or RabbitMQ instead of the embedded broker.
"""

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from celery.contrib.testing.worker import start_worker
from fastapi.testclient import TestClient

from tests.support import configured_broker_url, delete_queue

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.config import Settings

DATA_DIR = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="celery-tests-"))
    config.stash[DATA_DIR] = data_dir
    os.environ["APP_DATA_DIR"] = str(data_dir)
    os.environ["APP_LOG_FILE"] = str(data_dir / "log.txt")
    # A queue of their own: on a shared broker, no other worker takes these tasks.
    os.environ["APP_TASK_QUEUE"] = f"tests-{uuid.uuid4().hex}"


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(config.stash[DATA_DIR], ignore_errors=True)


@pytest.fixture(scope="session")
def worker() -> Iterator[None]:
    """A real worker, in a thread, consuming the project's queue for the session.

    Celery's own test helper, on the project's own app: no Docker, unlike the
    ``celery_worker`` fixture of pytest-celery, which this suite neither needs nor
    shadows.

    Heartbeats keep its event loop waking up, so that on RabbitMQ it stops in about
    2 s rather than 10.
    """
    from {{ cookiecutter.package_name }}.worker import celery_app

    with start_worker(
        celery_app,
        pool="solo",
        perform_ping_check=False,
        loglevel="WARNING",
        without_heartbeat=False,
    ):
        yield
    if configured := os.environ.get("CELERY_BROKER_URL"):
        delete_queue(configured, os.environ["APP_TASK_QUEUE"])


@pytest.fixture(scope="session")
def real_broker() -> tuple[str, str | None]:
    """The Redis or RabbitMQ the tests were given, and its result backend.

    Session-scoped, so that a test without one is skipped before the worker starts.
    """
    return configured_broker_url(), os.environ.get("CELERY_RESULT_BACKEND")


@pytest.fixture
def api_for(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[["Settings"], TestClient]]:
    """Give a client of an API created with the given settings."""
    from {{ cookiecutter.package_name }}.main import create_app

    # Celery prefers these variables to its configuration: let the settings win.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)
    clients: list[TestClient] = []

    def make(settings: "Settings") -> TestClient:
        clients.append(TestClient(create_app(settings)))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client() -> Iterator[TestClient]:
    from {{ cookiecutter.package_name }}.main import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def log_file() -> Path:
    return Path(os.environ["APP_LOG_FILE"])


@pytest.fixture
def unique_email() -> str:
    """An address no other test uses, to find this test's line in the shared log."""
    return f"user-{uuid.uuid4().hex[:12]}@example.com"
