from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.main import create_app

from tests.support import FakeQueue


def test_health_answers_ok_even_with_the_broker_down(
    api: TestClient, queue: FakeQueue
) -> None:
    queue.unreachable = True

    response = api.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_when_the_broker_and_the_result_backend_answer(
    settings: Settings,
) -> None:
    with TestClient(create_app(settings)) as api:
        response = api.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "broker": "ok",
        "result_backend": "ok",
    }


def test_not_ready_while_they_are_unreachable_with_the_reason(
    settings: Settings,
) -> None:
    # Nothing listens on port 1: the connection is refused at once.
    unreachable = "redis://127.0.0.1:1/0"
    down = settings.model_copy(
        update={"broker_url": unreachable, "result_backend": unreachable}
    )
    with TestClient(create_app(down)) as api:
        response = api.get("/health/ready")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json() == {
        "status": "unavailable",
        "broker": "unreachable (OperationalError)",
        "result_backend": "unreachable (ConnectionError)",
    }


def test_both_checks_are_in_the_openapi_schema(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]

    assert set(paths["/health"]["get"]["responses"]) == {"200"}
    assert set(paths["/health/ready"]["get"]["responses"]) == {"200", "503"}
