"""The endpoints, with the task queue replaced: no broker, no worker."""

import uuid

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.task_queue import TaskStatus

from tests.support import TASK_ID, FakeQueue

SEND = ("notifications.send", ("ada@example.com", "some notification"))


def test_a_notification_is_queued_and_answered_with_202(
    api: TestClient, queue: FakeQueue
) -> None:
    response = api.post("/send-notification/ada@example.com")

    assert response.status_code == 202
    assert response.json() == {
        "message": "Notification queued",
        "task_id": TASK_ID,
        "status_url": f"/tasks/{TASK_ID}",
    }
    assert queue.sent == [SEND]


@pytest.mark.parametrize(
    "status",
    [
        TaskStatus(task_id=TASK_ID, state="PENDING"),
        TaskStatus(task_id=TASK_ID, state="SUCCESS", result="notification for x"),
        TaskStatus(task_id=TASK_ID, state="FAILURE", error="PermissionError: denied"),
    ],
    ids=lambda status: status.state,
)
def test_the_status_url_reports_the_task(
    api: TestClient, queue: FakeQueue, status: TaskStatus
) -> None:
    queue.statuses[TASK_ID] = status

    response = api.get(f"/tasks/{TASK_ID}")

    assert response.status_code == 200
    assert response.json() == status.model_dump()


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/send-notification/ada@example.com"), ("get", f"/tasks/{TASK_ID}")],
)
def test_an_unreachable_broker_gives_503_with_retry_after(
    api: TestClient, queue: FakeQueue, method: str, path: str
) -> None:
    queue.unreachable = True

    response = api.request(method, path)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json() == {
        "detail": "The task queue is unreachable, try again later"
    }


@pytest.mark.parametrize("email", ["not-an-email", "ada@", "ada@example.com%0Dforged"])
def test_an_invalid_email_is_rejected_and_nothing_is_queued(
    api: TestClient, queue: FakeQueue, email: str
) -> None:
    response = api.post(f"/send-notification/{email}")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "email"]
    assert queue.sent == []


def test_an_address_with_a_slash_is_one_path_parameter(
    api: TestClient, queue: FakeQueue
) -> None:
    response = api.post("/send-notification/sales%2Fbilling@example.com")

    assert response.status_code == 202
    assert queue.sent == [
        ("notifications.send", ("sales/billing@example.com", "some notification"))
    ]


def test_a_request_body_is_refused_and_nothing_is_queued(
    api: TestClient, queue: FakeQueue
) -> None:
    response = api.post("/send-notification/ada@example.com", json={"a": 1})

    assert response.status_code == 415
    assert response.json()["detail"].startswith("This endpoint takes no request body")
    assert queue.sent == []


@pytest.mark.parametrize("task_id", ["not-a-task-id", str(uuid.uuid4())[:-1]])
def test_a_malformed_task_id_is_rejected(api: TestClient, task_id: str) -> None:
    response = api.get(f"/tasks/{task_id}")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "task_id"]
