from fastapi.testclient import TestClient


def test_health_answers_ok(api: TestClient) -> None:
    response = api.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
