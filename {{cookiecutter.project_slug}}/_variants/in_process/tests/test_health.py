from fastapi.testclient import TestClient


def test_health_answers_ok_with_an_empty_backlog(client: TestClient) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "pending_requests": 0}
