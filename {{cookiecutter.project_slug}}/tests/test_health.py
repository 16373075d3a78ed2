from fastapi.testclient import TestClient


def test_health_answers_ok(client: TestClient) -> None:
    response = client.get("/health")

    assert response.status_code == 200
{%- if cookiecutter.task_pattern == "celery" %}
    assert response.json() == {"status": "ok"}
{%- else %}
    assert response.json() == {"status": "ok", "pending_requests": 0}
{%- endif %}
