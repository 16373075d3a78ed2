"""The deployed shape: the API in one process, a ``celery worker`` in another, and
nothing between them but the broker."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.main import create_app

from tests.support import WAIT_SECONDS, delete_queue, wait_for_final_state

BATCH = 5


@pytest.fixture
def process_settings(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """The suite's broker, with a data folder and a queue of this test's own."""
    own = settings.model_copy(
        update={
            "data_dir": tmp_path / "data",
            "log_file": tmp_path / "log.txt",
            "task_queue": f"tests-{uuid.uuid4().hex}",
        }
    )
    yield own
    if own.broker_url:
        delete_queue(own.broker_url, own.task_queue)


@pytest.fixture
def worker_process(
    process_settings: Settings, tmp_path: Path
) -> Iterator[subprocess.Popen[str]]:
    """``celery -A ... worker``, started as a user starts it, from a folder without
    a .env. Alone on its queue, it skips talking to other workers: it starts and
    stops faster, and leaves no mailbox of its own on a shared broker."""
    variables = {
        "APP_DATA_DIR": process_settings.data_dir,
        "APP_LOG_FILE": process_settings.log_file,
        "APP_TASK_QUEUE": process_settings.task_queue,
        "CELERY_BROKER_URL": process_settings.broker_url,
        "CELERY_RESULT_BACKEND": process_settings.result_backend,
    }
    env = dict(os.environ)
    env.update((name, str(value)) for name, value in variables.items() if value)
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A"),
            "{{ cookiecutter.package_name }}.worker",
            "worker",
            *("--pool=solo", "--loglevel=WARNING", "--without-mingle"),
            *("--without-gossip", "--", "worker.enable_remote_control=False"),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield worker
    if process_settings.broker_url:
        # A warm shutdown: the worker acknowledges what it ran, so that the shared
        # broker keeps no message of this queue to hand back later.
        worker.terminate()
    else:
        worker.kill()  # its folder goes with tmp_path
    worker.communicate(timeout=WAIT_SECONDS)


def test_a_worker_process_delivers_what_the_api_queued(
    worker_process: subprocess.Popen[str], process_settings: Settings
) -> None:
    emails = [f"user{n}-{uuid.uuid4().hex[:8]}@example.com" for n in range(BATCH)]

    with TestClient(create_app(process_settings)) as api:
        queued = [api.post(f"/send-notification/{email}") for email in emails]
        assert [response.status_code for response in queued] == [202] * BATCH
        for response in queued:
            status = wait_for_final_state(api, response.json()["status_url"])
            assert status["state"] == "SUCCESS", worker_process.poll()

    assert sorted(process_settings.log_file.read_text("utf-8").splitlines()) == sorted(
        f"notification for {email}: some notification" for email in emails
    )
