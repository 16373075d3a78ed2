"""Routes whose background work the route itself does not show are still bounded,
and routes that schedule none are left alone."""

from collections.abc import Callable, Iterator

import pytest
from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, WebSocket
from fastapi.testclient import TestClient

from background_tasks_app.background import ScheduledTooLate


def audit(background_tasks: BackgroundTasks) -> Iterator[None]:
    background_tasks.add_task(lambda: None)
    yield


def late_audit(background_tasks: BackgroundTasks) -> Iterator[None]:
    yield
    background_tasks.add_task(lambda: None)


def include_items(app: FastAPI, dependency: Callable[..., Iterator[None]]) -> None:
    router = APIRouter()

    @router.post("/items")
    async def create_item() -> dict[str, str]:
        return {"created": "item"}

    app.include_router(router, prefix="/v1", dependencies=[Depends(dependency)])


def test_a_dependency_given_to_include_router_is_counted_and_refused(
    app: FastAPI, client: TestClient
) -> None:
    include_items(app, audit)
    assert client.post("/v1/items").status_code == 200
    assert client.get("/health/ready").json()["pending_requests"] == 0

    app.state.backlog.pending = app.state.backlog.limit
    response = client.post("/v1/items")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"


def test_a_late_task_from_a_dependency_given_to_include_router_is_refused(
    app: FastAPI, client: TestClient
) -> None:
    include_items(app, late_audit)

    with pytest.raises(ScheduledTooLate):
        client.post("/v1/items")
    assert app.state.backlog.pending == 0


def test_a_websocket_route_is_neither_counted_nor_refused(
    app: FastAPI, client: TestClient
) -> None:
    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("ready")
        await websocket.close()

    app.state.backlog.pending = app.state.backlog.limit
    with client.websocket_connect("/ws") as websocket:
        assert websocket.receive_text() == "ready"
