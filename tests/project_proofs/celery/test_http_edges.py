"""What the status URL refuses."""

import pytest
from fastapi.testclient import TestClient


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
