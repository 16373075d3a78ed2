"""The deployed shape: the API in one process, a ``celery worker`` in another, and
nothing between them but the broker."""

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }} import tasks
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.main import create_app

from tests.support import (
    WAIT_SECONDS,
    delete_queue,
    wait_for_final_state,
    wait_until,
)

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
def worker_log(tmp_path: Path) -> Path:
    """What the worker process prints."""
    return tmp_path / "worker.log"


@pytest.fixture
def worker_process(
    process_settings: Settings, worker_log: Path, tmp_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """``celery -A ... worker``, started as a user starts it, from a folder without
    a .env. Alone on its queue, it skips talking to other workers: it starts and
    stops faster, and leaves no mailbox of its own on a shared broker."""
    variables = {
        "APP_LOG_FORMAT": "json",
        "APP_DATA_DIR": process_settings.data_dir,
        "APP_LOG_FILE": process_settings.log_file,
        "APP_TASK_QUEUE": process_settings.task_queue,
        "CELERY_BROKER_URL": process_settings.broker_url,
        "CELERY_RESULT_BACKEND": process_settings.result_backend,
    }
    env = dict(os.environ)
    env.update((name, str(value)) for name, value in variables.items() if value)
    with worker_log.open("wb") as output:
        worker = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A"),
                "{{ cookiecutter.package_name }}.worker",
                "worker",
                *("--pool=solo", "--without-mingle"),
                *("--without-gossip", "--", "worker.enable_remote_control=False"),
            ],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    yield worker
    if process_settings.broker_url:
        # A warm shutdown: the worker acknowledges what it ran, so that the shared
        # broker keeps no message of this queue to hand back later.
        worker.terminate()
    else:
        worker.kill()  # its folder goes with tmp_path
    worker.wait(timeout=WAIT_SECONDS)


def test_a_worker_process_delivers_what_the_api_queued(
    worker_process: subprocess.Popen[bytes], process_settings: Settings
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


def records(log: Path) -> list[dict[str, Any]]:
    """The JSON log records a process has printed so far (its banner is not one)."""
    lines = log.read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_the_worker_logs_each_task_with_the_id_of_the_request_that_queued_it(
    worker_process: subprocess.Popen[bytes],
    worker_log: Path,
    process_settings: Settings,
) -> None:
    request_ids = [uuid.uuid4().hex for _ in range(BATCH)]

    with TestClient(create_app(process_settings)) as api:
        task_ids = {}
        for request_id in request_ids:
            response = api.post(
                "/send-notification/ada@example.com",
                headers={"X-Request-ID": request_id},
            )
            assert response.headers["X-Request-ID"] == request_id
            task_ids[response.json()["task_id"]] = request_id
            status = wait_for_final_state(api, response.json()["status_url"])
            assert status["state"] == "SUCCESS", worker_process.poll()
        # Sent outside any request (as from a script): no id, and none left over.
        queue = api.app.state.task_queue
        task_id = queue.send(tasks.send_notification, "ada@example.com", "hi")
        task_ids[task_id] = "-"
        status = wait_for_final_state(api, f"/tasks/{task_id}")
        assert status["state"] == "SUCCESS", worker_process.poll()

    def task_records() -> dict[str, list[dict[str, Any]]]:
        """The records that name a task, by task id: its arrival and its end."""
        by_task: dict[str, list[dict[str, Any]]] = {}
        for record in records(worker_log):
            for task_id in task_ids:
                if f"[{task_id}]" in record["message"]:
                    by_task.setdefault(task_id, []).append(record)
        return by_task

    def both_records_of_each_task() -> dict[str, list[dict[str, Any]]] | None:
        found = task_records()
        return found if all(len(found.get(t, [])) == 2 for t in task_ids) else None

    logged = wait_until(
        both_records_of_each_task, "the worker to log each task's arrival and end"
    )
    for task_id, request_id in task_ids.items():
        received, succeeded = logged[task_id]
        assert received["message"].endswith("received")
        assert " succeeded in " in succeeded["message"]
        assert received["request_id"] == succeeded["request_id"] == request_id
    # The task's result, in the success record, names the recipient: masked.
    assert "ada@" not in worker_log.read_text("utf-8")
