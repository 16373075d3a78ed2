import threading
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }} import tasks
from {{ cookiecutter.package_name }}.log_file import append_line

from tests.conftest import WAIT_SECONDS
from tests.server_log import ServerLog

ADA_LINE = "notification for ada@example.com: some notification"
REQUEST_ID = "4f9e6a1c2b3d4e5f8a9b0c1d2e3f4a5b"


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


def test_a_failing_task_is_logged_with_its_request_id_and_no_address(
    client: TestClient,
    read_log: Callable[[], list[str]],
    server_log: ServerLog,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def disk_full(path: Path, text: str) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(tasks, "append_line", disk_full)
    response = client.post(
        "/send-notification/ada@example.com", headers={"X-Request-ID": REQUEST_ID}
    )

    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == REQUEST_ID
    assert read_log() == []
    lines = server_log.lines()
    [failure] = [line for line in lines if " ERROR " in line]
    assert f"[{REQUEST_ID}] Background task write_notification failed" in failure
    assert "'***@example.com'" in failure
    assert "OSError: No space left on device" in lines
    assert not [line for line in lines if "ada@" in line]


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
