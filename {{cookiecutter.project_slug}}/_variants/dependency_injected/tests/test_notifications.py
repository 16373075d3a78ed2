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

QUERY_LINE = "found query: hello"
MESSAGE_LINE = "message to ada@example.com"
REQUEST_ID = "4f9e6a1c2b3d4e5f8a9b0c1d2e3f4a5b"


def test_dependency_and_endpoint_lines_land_in_order(
    client: TestClient, read_log: Callable[[], list[str]]
) -> None:
    response = client.post("/send-notification/ada@example.com", params={"q": "hello"})

    assert response.status_code == 200
    assert response.json() == {"message": "Message sent"}
    assert read_log() == [QUERY_LINE, MESSAGE_LINE]


@pytest.mark.parametrize("params", [{}, {"q": ""}])
def test_without_a_query_only_the_endpoint_writes(
    client: TestClient, read_log: Callable[[], list[str]], params: dict[str, str]
) -> None:
    response = client.post("/send-notification/ada@example.com", params=params)

    assert response.status_code == 200
    assert read_log() == [MESSAGE_LINE]


def test_the_response_does_not_wait_for_the_tasks(
    live_client: httpx2.Client,
    read_log: Callable[[], list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release, written = threading.Event(), threading.Semaphore(0)

    def held_append_line(path: Path, text: str) -> None:
        assert release.wait(WAIT_SECONDS), "the test never released the task"
        append_line(path, text)
        written.release()

    monkeypatch.setattr(tasks, "append_line", held_append_line)
    response = live_client.post(
        "/send-notification/ada@example.com", params={"q": "hello"}
    )

    # The tasks wait for the release, so the response came before they ran.
    assert response.status_code == 200
    assert read_log() == []
    release.set()
    assert written.acquire(timeout=WAIT_SECONDS)
    assert written.acquire(timeout=WAIT_SECONDS)
    assert read_log() == [QUERY_LINE, MESSAGE_LINE]


def test_a_failing_task_is_logged_with_its_request_id_and_the_next_one_still_runs(
    client: TestClient,
    read_log: Callable[[], list[str]],
    server_log: ServerLog,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def first_write_fails(path: Path, text: str) -> None:
        if text == QUERY_LINE:
            raise OSError("No space left on device")
        append_line(path, text)

    monkeypatch.setattr(tasks, "append_line", first_write_fails)
    response = client.post(
        "/send-notification/ada@example.com",
        params={"q": "hello"},
        headers={"X-Request-ID": REQUEST_ID},
    )

    assert response.status_code == 200
    assert read_log() == [MESSAGE_LINE]
    [failure] = [line for line in server_log.lines() if " ERROR " in line]
    assert f"[{REQUEST_ID}] Background task write_log failed" in failure
    assert QUERY_LINE in failure


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/send-notification/not-an-email", {"q": "hello"}),
        ("/send-notification/ada@example.com", {"q": "x" * 201}),
        ("/send-notification/ada@example.com", {"q": "hi\nmessage to eve@example.com"}),
    ],
    ids=["invalid-email", "query-too-long", "query-with-newline"],
)
def test_bad_input_is_rejected_and_nothing_is_written(
    client: TestClient,
    read_log: Callable[[], list[str]],
    path: str,
    params: dict[str, str],
) -> None:
    response = client.post(path, params=params)

    assert response.status_code == 422
    assert response.json()["detail"]
    assert read_log() == []


def test_a_request_body_is_refused_and_nothing_is_written(
    client: TestClient, read_log: Callable[[], list[str]]
) -> None:
    response = client.post("/send-notification/ada@example.com", json={"q": "hi"})

    assert response.status_code == 415
    assert response.json()["detail"].startswith("This endpoint takes no request body")
    assert read_log() == []
