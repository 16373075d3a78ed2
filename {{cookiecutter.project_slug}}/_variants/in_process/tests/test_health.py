from fastapi import FastAPI
from fastapi.testclient import TestClient


def test_health_answers_ok_while_the_process_serves(client: TestClient) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_while_the_backlog_is_below_its_bound(client: TestClient) -> None:
    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "pending_requests": 0,
        "max_pending_requests": 1000,
    }


def test_ready_up_to_the_last_free_place_in_the_backlog(
    app: FastAPI, client: TestClient
) -> None:
    backlog = app.state.backlog
    for _ in range(backlog.limit - 1):
        backlog.reserve()

    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["pending_requests"] == 999


def test_not_ready_once_the_backlog_is_full_but_still_alive(
    app: FastAPI, client: TestClient
) -> None:
    backlog = app.state.backlog
    for _ in range(backlog.limit):
        backlog.reserve()

    ready = client.get("/health/ready")
    alive = client.get("/health")

    assert ready.status_code == 503
    assert ready.headers["Retry-After"] == "1"
    assert ready.json() == {
        "status": "unavailable",
        "pending_requests": 1000,
        "max_pending_requests": 1000,
    }
    assert alive.status_code == 200


def test_both_checks_are_in_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert set(paths["/health"]["get"]["responses"]) == {"200"}
    assert set(paths["/health/ready"]["get"]["responses"]) == {"200", "503"}
