"""The endpoints, with the task queue replaced: no broker, no worker."""

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.task_queue import (
    TaskStatus,
    get_task_queue,
)

from tests.malformed_requests import MALFORMED_REQUESTS, UNEXPECTED_BODIES
from tests.support import TASK_ID, FakeQueue


@pytest.fixture
def queue() -> FakeQueue:
    return FakeQueue()


@pytest.fixture
def api(queue: FakeQueue) -> Iterator[TestClient]:
    app = create_app()
    app.dependency_overrides[get_task_queue] = lambda: queue
    with TestClient(app) as test_client:
        yield test_client


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
    assert queue.sent == [("ada@example.com", "some notification")]


@pytest.mark.parametrize(
    "status",
    [
        TaskStatus(task_id=TASK_ID, state="STARTED"),
        TaskStatus(task_id=TASK_ID, state="SUCCESS", result="notification for x"),
        TaskStatus(task_id=TASK_ID, state="RETRY", error="ConnectionError: refused"),
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
    assert response.json()["detail"].startswith("The task queue is unreachable")
    assert queue.sent == []


@pytest.mark.parametrize(
    "path",
    [
        "/send-notification/not-an-email",
        "/send-notification/ada@example.com%0Dforged",
    ],
)
def test_an_invalid_email_is_rejected_and_nothing_is_queued(
    api: TestClient, queue: FakeQueue, path: str
) -> None:
    response = api.post(path)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "email"]
    assert queue.sent == []


@pytest.mark.parametrize(
    "task_id",
    ["not-a-task-id", "celery-task-meta-x", str(uuid.uuid4())[:-1], "f" * 60_000],
    ids=["not-an-id", "a-backend-key", "one-digit-short", "oversized"],
)
def test_a_malformed_task_id_is_rejected(api: TestClient, task_id: str) -> None:
    response = api.get(f"/tasks/{task_id}")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "task_id"]


def test_the_status_url_takes_no_post(api: TestClient) -> None:
    response = api.post(f"/tasks/{TASK_ID}")

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"


@pytest.mark.parametrize(("method", "url", "status"), MALFORMED_REQUESTS)
def test_a_malformed_request_gets_a_4xx_that_says_why_and_queues_nothing(
    api: TestClient, queue: FakeQueue, method: str, url: str, status: int
) -> None:
    response = api.request(method, url)

    assert response.status_code == status
    assert response.json()["detail"]
    assert queue.sent == []


@pytest.mark.parametrize(("content_type", "body"), UNEXPECTED_BODIES)
def test_a_request_body_is_refused_and_nothing_is_queued(
    api: TestClient, queue: FakeQueue, content_type: str, body: bytes
) -> None:
    response = api.post(
        "/send-notification/ada@example.com",
        content=body,
        headers={"Content-Type": content_type},
    )

    assert response.status_code == 415
    assert response.json()["detail"].startswith("This endpoint takes no request body")
    assert queue.sent == []


def test_an_address_with_a_slash_is_one_path_parameter(
    api: TestClient, queue: FakeQueue
) -> None:
    response = api.post("/send-notification/sales%2Fbilling@example.com")

    assert response.status_code == 202
    assert queue.sent == [("sales/billing@example.com", "some notification")]
