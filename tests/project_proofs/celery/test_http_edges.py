"""What the HTTP layer refuses: nothing refused is queued."""

import pytest
from fastapi.testclient import TestClient
from malformed_requests import MALFORMED_REQUESTS, UNEXPECTED_BODIES

from tests.support import FakeQueue


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


@pytest.mark.parametrize(
    "task_id", ["celery-task-meta-x", "f" * 60_000], ids=["a-backend-key", "oversized"]
)
def test_a_malformed_task_id_is_rejected(api: TestClient, task_id: str) -> None:
    response = api.get(f"/tasks/{task_id}")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "task_id"]


def test_the_status_url_takes_no_post(api: TestClient) -> None:
    response = api.post("/tasks/6f1c8e4e-5a3b-4c1d-9e2f-0a1b2c3d4e5f")

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
