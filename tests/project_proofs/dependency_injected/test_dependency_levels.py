"""What the dependency_injected README says of FastAPI's one BackgroundTasks per
request: every level shares it, a custom response keeps its tasks, and
HTTPException drops them."""

from collections.abc import Callable
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI, HTTPException
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from background_tasks_app.config import SettingsDep
from background_tasks_app.dependencies import DeferredLog, get_deferred_log, get_query

QUERY_LINE = "found query: hello"
MESSAGE_LINE = "message to ada@example.com"


def test_every_level_shares_one_background_tasks(
    app: FastAPI, client: TestClient, read_log: Callable[[], list[str]]
) -> None:
    seen: list[BackgroundTasks] = []

    async def spy(
        background_tasks: BackgroundTasks, settings: SettingsDep
    ) -> DeferredLog:
        seen.append(background_tasks)
        return await get_deferred_log(background_tasks, settings)

    app.dependency_overrides[get_deferred_log] = spy
    client.post("/send-notification/ada@example.com", params={"q": "hello"})

    # The instance the sub-dependency got also held the endpoint's task.
    [background_tasks] = seen
    assert [task.args[1] for task in background_tasks.tasks] == [
        QUERY_LINE,
        MESSAGE_LINE,
    ]
    assert read_log() == [QUERY_LINE, MESSAGE_LINE]


def test_a_custom_response_still_runs_the_injected_tasks(
    app: FastAPI, client: TestClient, read_log: Callable[[], list[str]]
) -> None:
    @app.post("/custom-response")
    async def custom_response(
        q: Annotated[str | None, Depends(get_query)],
    ) -> JSONResponse:
        return JSONResponse({"accepted": True}, status_code=202)

    response = client.post("/custom-response", params={"q": "hello"})

    assert response.status_code == 202
    assert read_log() == [QUERY_LINE]


def test_an_http_exception_runs_none_of_the_scheduled_tasks(
    app: FastAPI, client: TestClient, read_log: Callable[[], list[str]]
) -> None:
    @app.post("/conflict")
    async def conflict(q: Annotated[str | None, Depends(get_query)]) -> None:
        raise HTTPException(status_code=409, detail="already sent")

    response = client.post("/conflict", params={"q": "hello"})

    assert response.status_code == 409
    assert read_log() == []
