import logging
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient


def test_a_json_body_on_the_existing_router(
    client: TestClient, read_log: Callable[[], list[str]]
) -> None:
    response = client.post("/notes", json={"text": "hello"})

    assert response.status_code == 200
    assert response.json() == {"text": "hello"}
    assert read_log() == ["audit: note hello"]
    assert response.headers["X-Served-By"] == "extension kit"


def test_a_new_router_runs_async_and_sync_tasks_and_the_yield_dependency_one(
    client: TestClient, read_log: Callable[[], list[str]]
) -> None:
    response = client.post("/reports", json={"title": "Q3"})

    assert response.status_code == 200
    assert read_log() == [
        "webhook: report Q3",
        "audit: Q3 queued",
        "audit: report requested",
    ]


def test_a_failing_async_task_is_logged_and_the_next_tasks_run(
    client: TestClient,
    read_log: Callable[[], list[str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    response = client.post("/reports", json={"title": "Q4", "webhook_fails": True})

    assert response.status_code == 200
    assert read_log() == ["audit: Q4 queued", "audit: report requested"]
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.getMessage().startswith("Background task call_webhook failed")


@pytest.mark.parametrize(
    ("path", "body"), [("/notes", {"text": "x"}), ("/reports", {"title": "x"})]
)
def test_the_backlog_bound_covers_the_new_endpoints(
    app: FastAPI, client: TestClient, path: str, body: dict[str, str]
) -> None:
    app.state.backlog.pending = app.state.backlog.limit

    response = client.post(path, json=body)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"


def test_the_schema_keeps_each_rule_on_its_own_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert "requestBody" in paths["/notes"]["post"]
    assert "requestBody" in paths["/reports"]["post"]
    assert "415" not in paths["/notes"]["post"]["responses"]
    assert "415" not in paths["/reports"]["post"]["responses"]
    [send_notification] = [p for p in paths if p.startswith("/send-notification")]
    assert "415" in paths[send_notification]["post"]["responses"]
