"""A real worker thread on the project's own app and broker: the whole round trip."""

import uuid
from pathlib import Path

import pytest
from celery import Celery
from fastapi.testclient import TestClient
from kombu.exceptions import EncodeError

from {{ cookiecutter.package_name }} import delivery
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.log_file import append_line
from {{ cookiecutter.package_name }}.task_queue import (
    TaskQueue,
    api_config,
)

from tests.support import wait_for_final_state

pytestmark = pytest.mark.usefixtures("worker")


def read_lines(log_file: Path) -> list[str]:
    return (
        log_file.read_text(encoding="utf-8").splitlines() if log_file.exists() else []
    )


def test_a_queued_notification_is_written_by_the_worker(
    client: TestClient, log_file: Path, unique_email: str
) -> None:
    response = client.post(f"/send-notification/{unique_email}")

    assert response.status_code == 202
    body = response.json()
    status = wait_for_final_state(client, body["status_url"])
    line = f"notification for {unique_email}: some notification"
    assert status == {
        "task_id": body["task_id"],
        "state": "SUCCESS",
        "result": line,
        "error": None,
    }
    assert read_lines(log_file).count(line) == 1


def test_arguments_travel_as_json(
    client: TestClient, log_file: Path, unique_email: str
) -> None:
    message = 'Zoë says "hi" \\ 😀'
    queue = TaskQueue(Celery(config_source=api_config(Settings())))  # as the API's

    task_id = queue.send_notification(unique_email, message)

    status = wait_for_final_state(client, f"/tasks/{task_id}")
    assert status["result"] == f"notification for {unique_email}: {message}"
    with pytest.raises(EncodeError):  # only JSON: a set has no JSON form
        queue.send_notification(unique_email, {"not", "json"})  # type: ignore[arg-type]


def test_a_transient_error_is_retried_then_succeeds(
    client: TestClient,
    log_file: Path,
    unique_email: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    def fail_once(path: Path, text: str) -> None:
        calls.append(text)
        if len(calls) == 1:
            raise ConnectionError("mail server did not answer")
        append_line(path, text)

    monkeypatch.setattr(delivery, "append_line", fail_once)

    response = client.post(f"/send-notification/{unique_email}")

    status = wait_for_final_state(client, response.json()["status_url"])
    line = f"notification for {unique_email}: some notification"
    assert status["state"] == "SUCCESS"
    assert calls == [line, line]
    assert read_lines(log_file).count(line) == 1


def test_a_permanent_error_ends_in_failure_with_a_readable_error(
    client: TestClient,
    log_file: Path,
    unique_email: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(path: Path, text: str) -> None:
        raise PermissionError("read-only file system")

    monkeypatch.setattr(delivery, "append_line", refuse)

    response = client.post(f"/send-notification/{unique_email}")

    status = wait_for_final_state(client, response.json()["status_url"])
    assert status["state"] == "FAILURE"
    assert status["error"] == "PermissionError: read-only file system"
    assert status["result"] is None
    assert not any(unique_email in line for line in read_lines(log_file))


def test_an_unknown_task_id_is_pending(client: TestClient) -> None:
    task_id = str(uuid.uuid4())

    response = client.get(f"/tasks/{task_id}")

    assert response.status_code == 200
    assert response.json() == {
        "task_id": task_id,
        "state": "PENDING",
        "result": None,
        "error": None,
    }
