"""The deployed shape: the API in one process, a ``celery worker`` in another, and
nothing between them but the broker."""

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.config import Settings

from tests.support import (
    FINAL_STATES,
    WAIT_SECONDS,
    configured_broker_url,
    delete_queue,
    settings_from,
    wait_until,
)

BATCH = 20


@pytest.fixture(params=["embedded", "configured"])
def broker(request: pytest.FixtureRequest) -> dict[str, str]:
    """The broker variables: none for the embedded broker, else the configured ones."""
    if request.param == "embedded":
        return {}
    variables = {"CELERY_BROKER_URL": configured_broker_url()}
    if result_backend := os.environ.get("CELERY_RESULT_BACKEND"):
        variables["CELERY_RESULT_BACKEND"] = result_backend
    return variables


@pytest.fixture
def settings_env(broker: dict[str, str], tmp_path: Path) -> Iterator[dict[str, str]]:
    """The variables both processes get: a data folder and a queue of their own."""
    queue = f"tests-{uuid.uuid4().hex}"
    yield {
        "APP_DATA_DIR": str(tmp_path / "data"),
        "APP_LOG_FILE": str(tmp_path / "log.txt"),
        "APP_TASK_QUEUE": queue,
        **broker,
    }
    if "CELERY_BROKER_URL" in broker:
        delete_queue(broker["CELERY_BROKER_URL"], queue)


@pytest.fixture
def worker_process(settings_env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """``celery -A ... worker`` in a process of its own.

    Alone on its queue, it need not wait at start for other workers to answer
    (mingle, gossip, heartbeat): that would only slow the test down.
    """
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "{{ cookiecutter.package_name }}.worker",
            "worker",
            "--loglevel",
            "WARNING",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        env={**inherited, **settings_env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield worker
    worker.kill()  # the test has checked its work already: nothing to wait for
    worker.communicate(timeout=WAIT_SECONDS)


@pytest.fixture
def api(
    settings_env: dict[str, str], api_for: Callable[[Settings], TestClient]
) -> TestClient:
    """The API, in this test's process, sending to the worker process's queue."""
    return api_for(settings_from(settings_env))


def test_a_worker_process_delivers_a_batch_sent_by_the_api(
    worker_process: subprocess.Popen[str],
    api: TestClient,
    settings_env: dict[str, str],
) -> None:
    emails = [f"user{n}-{uuid.uuid4().hex[:8]}@example.com" for n in range(BATCH)]

    queued = [api.post(f"/send-notification/{email}") for email in emails]

    assert [response.status_code for response in queued] == [202] * BATCH

    def all_final() -> list[dict[str, Any]] | None:
        assert worker_process.poll() is None, worker_process.communicate()[0]
        statuses = [api.get(r.json()["status_url"]).json() for r in queued]
        done = all(status["state"] in FINAL_STATES for status in statuses)
        return statuses if done else None

    statuses = wait_until(all_final, f"{BATCH} tasks to finish")
    assert [status["state"] for status in statuses] == ["SUCCESS"] * BATCH
    log_file = Path(settings_env["APP_LOG_FILE"])
    assert sorted(log_file.read_text(encoding="utf-8").splitlines()) == sorted(
        f"notification for {email}: some notification" for email in emails
    )
