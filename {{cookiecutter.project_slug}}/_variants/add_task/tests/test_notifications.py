import logging
from collections.abc import Callable

import httpx2
import pytest
from fastapi.testclient import TestClient

from tests.support import WriteGate

ADA_LINE = "notification for ada@example.com: some notification"


def test_the_notification_is_written_after_the_response(
    client: TestClient, read_log: Callable[[], list[str]]
) -> None:
    response = client.post("/send-notification/ada@example.com")

    assert response.status_code == 200
    assert response.json() == {"message": "Notification sent in the background"}
    assert read_log() == [ADA_LINE]


def test_notifications_are_appended_in_request_order(
    client: TestClient, read_log: Callable[[], list[str]]
) -> None:
    for email in ("ada@example.com", "grace@example.com"):
        assert client.post(f"/send-notification/{email}").status_code == 200

    assert read_log() == [
        ADA_LINE,
        "notification for grace@example.com: some notification",
    ]


def test_the_response_does_not_wait_for_a_slow_task(
    live_client: httpx2.Client, write_gate: WriteGate, read_log: Callable[[], list[str]]
) -> None:
    response = live_client.post("/send-notification/ada@example.com")

    # The task is held at the gate, so this response was sent before it finished.
    assert response.status_code == 200
    write_gate.wait_until_started()
    assert read_log() == []
    write_gate.release()
    write_gate.wait_until_written(1)
    assert read_log() == [ADA_LINE]


@pytest.mark.usefixtures("first_write_fails")
def test_a_failing_task_is_logged_and_the_client_still_gets_its_answer(
    client: TestClient,
    read_log: Callable[[], list[str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    failed = client.post("/send-notification/grace@example.com")
    succeeded = client.post("/send-notification/ada@example.com")

    assert failed.status_code == succeeded.status_code == 200
    assert read_log() == [ADA_LINE]
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "write_notification failed" in record.getMessage()
    assert "grace@example.com" in record.getMessage()
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], OSError)


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
