"""The deployed shape: an API process and a worker process, sharing only a broker."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.support import (
    FINAL_STATES,
    WAIT_SECONDS,
    configured_broker_url,
    free_port,
    wait_until,
)

BATCH = 20


def start(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(process: subprocess.Popen[str]) -> None:
    """End a process the test no longer needs, at once: its work is checked already."""
    process.kill()
    process.communicate(timeout=WAIT_SECONDS)


@pytest.fixture(params=["embedded", "configured"])
def environment(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The variables both processes get: a data folder and queue of their own."""
    env = {
        **os.environ,
        "APP_DATA_DIR": str(tmp_path / "data"),
        "APP_LOG_FILE": str(tmp_path / "log.txt"),
        "APP_TASK_QUEUE": f"tests-{uuid.uuid4().hex}",
    }
    if request.param == "embedded":
        env.pop("CELERY_BROKER_URL", None)
        env.pop("CELERY_RESULT_BACKEND", None)
    else:
        env["CELERY_BROKER_URL"] = configured_broker_url()
    return env


@pytest.fixture
def api_url(environment: dict[str, str]) -> Iterator[str]:
    """The API, served by uvicorn in a process of its own."""
    port = str(free_port())
    api = start(
        "uvicorn",
        "{{ cookiecutter.package_name }}.main:app",
        "--port",
        port,
        "--log-level",
        "warning",
        env=environment,
    )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx2.get(f"{url}/health").status_code == 200
        except httpx2.TransportError:
            assert api.poll() is None, api.communicate()[0]
            return False

    try:
        wait_until(healthy, "the API to start")
        yield url
    finally:
        stop(api)


@pytest.fixture
def worker_process(environment: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """``celery -A ... worker`` in a process of its own.

    Alone on its queue, it need not wait at start for other workers to answer
    (mingle, gossip, heartbeat): that only slows the test down.
    """
    worker = start(
        "celery",
        "-A",
        "{{ cookiecutter.package_name }}.worker",
        "worker",
        "--loglevel",
        "WARNING",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
        env=environment,
    )
    try:
        yield worker
    finally:
        stop(worker)


def test_a_worker_process_delivers_a_batch_sent_by_the_api(
    worker_process: subprocess.Popen[str], api_url: str, environment: dict[str, str]
) -> None:
    emails = [f"user{n}-{uuid.uuid4().hex[:8]}@example.com" for n in range(BATCH)]
    with httpx2.Client(base_url=api_url, timeout=WAIT_SECONDS) as api:
        queued = [api.post(f"/send-notification/{email}") for email in emails]
        assert [response.status_code for response in queued] == [202] * BATCH

        def all_final() -> list[dict[str, str]] | None:
            assert worker_process.poll() is None, worker_process.communicate()[0]
            statuses = [api.get(r.json()["status_url"]).json() for r in queued]
            done = all(status["state"] in FINAL_STATES for status in statuses)
            return statuses if done else None

        statuses = wait_until(all_final, f"{BATCH} tasks to finish")

    assert [status["state"] for status in statuses] == ["SUCCESS"] * BATCH
    lines = Path(environment["APP_LOG_FILE"]).read_text(encoding="utf-8").splitlines()
    assert sorted(lines) == sorted(
        f"notification for {email}: some notification" for email in emails
    )
