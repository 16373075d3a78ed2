"""Fixtures: the suite's settings, and a client of the API with a FakeQueue.

The tests that reach a broker use the embedded one, or the Redis or RabbitMQ given
with ``pytest --broker-url`` (and ``--result-backend``).
"""

import shutil
from collections.abc import Iterator

import pytest
from celery import Celery
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.config import (
    Settings,
    celery_config,
)
from {{ cookiecutter.package_name }}.main import create_app

from tests import DATA_DIR
from tests.server_log import server_log as server_log
from tests.support import FakeQueue, forget_results


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--broker-url",
        help="run the tests on this broker instead: redis://... or amqp://...",
    )
    parser.addoption(
        "--result-backend",
        help="and keep the task results there: redis://... (default: files)",
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(DATA_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def settings(pytestconfig: pytest.Config) -> Settings:
    """The suite's settings (see tests/__init__.py), with the broker it was given."""
    return Settings(
        broker_url=pytestconfig.getoption("broker_url"),
        result_backend=pytestconfig.getoption("result_backend"),
    )


@pytest.fixture(scope="session", autouse=True)
def forget_results_at_the_end(settings: Settings) -> Iterator[None]:
    """Leave no result of the suite's tasks behind in a shared result backend."""
    yield
    if settings.result_backend:  # else they are files in the suite's own folder
        forget_results(Celery(config_source=celery_config(settings)))


@pytest.fixture
def queue() -> FakeQueue:
    return FakeQueue()


@pytest.fixture
def api(queue: FakeQueue, settings: Settings) -> Iterator[TestClient]:
    """A client of the API whose task queue is a FakeQueue: no broker, no worker."""
    app = create_app(settings)
    app.state.task_queue = queue
    with TestClient(app) as test_client:
        yield test_client
