import logging
import threading
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }} import tasks
from {{ cookiecutter.package_name }}.log_file import append_line

from tests.conftest import WAIT_SECONDS

ADA_LINE = "notification for ada@example.com: some notification"


def test_the_notification_is_written_after_the_response(
    client: TestClient, read_log: Callable[[], list[str]]
) -> None:
    response = client.post("/send-notification/ada@example.com")

    assert response.status_code == 200
    assert response.json() == {"message": "Notification sent in the background"}
    assert read_log() == [ADA_LINE]


def test_an_address_with_a_slash_is_one_path_parameter(
    client: TestClient, read_log: Callable[[], list[str]]
) -> None:
    response = client.post("/send-notification/sales%2Fbilling@example.com")

    assert response.status_code == 200
    assert read_log() == [
        "notification for sales/billing@example.com: some notification"
    ]


def test_the_response_does_not_wait_for_the_task(
    live_client: httpx2.Client,
    read_log: Callable[[], list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release, written = threading.Event(), threading.Event()

    def held_append_line(path: Path, text: str) -> None:
        assert release.wait(WAIT_SECONDS), "the test never released the task"
        append_line(path, text)
        written.set()

    monkeypatch.setattr(tasks, "append_line", held_append_line)
    response = live_client.post("/send-notification/ada@example.com")

    # The task waits for the release, so the response came before it ran.
    assert response.status_code == 200
    assert read_log() == []
    release.set()
    assert written.wait(WAIT_SECONDS)
    assert read_log() == [ADA_LINE]


def test_a_failing_task_is_logged_and_the_client_still_gets_its_answer(
    client: TestClient,
    read_log: Callable[[], list[str]],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def disk_full(path: Path, text: str) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(tasks, "append_line", disk_full)
    response = client.post("/send-notification/ada@example.com")

    assert response.status_code == 200
    assert read_log() == []
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "write_notification failed" in record.getMessage()
    assert "ada@example.com" in record.getMessage()


@pytest.mark.parametrize(
    "email", ["not-an-email", "ada@", "@example.com", "ada@example.com%0Dforged"]
)
def test_an_invalid_email_is_rejected_and_nothing_is_written(
    client: TestClient, read_log: Callable[[], list[str]], email: str
) -> None:
    response = client.post(f"/send-notification/{email}")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "email"]
    assert read_log() == []


def test_a_request_body_is_refused_and_nothing_is_written(
    client: TestClient, read_log: Callable[[], list[str]]
) -> None:
    response = client.post("/send-notification/ada@example.com", json={"a": 1})

    assert response.status_code == 415
    assert response.json()["detail"].startswith("This endpoint takes no request body")
    assert read_log() == []
