import logging
from collections.abc import Callable
from typing import Annotated

import httpx2
import pytest
from fastapi import BackgroundTasks, Depends, FastAPI, HTTPException
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.config import SettingsDep
from {{ cookiecutter.package_name }}.dependencies import (
    DeferredLog,
    get_deferred_log,
    get_query,
)

from tests.support import WriteGate

QUERY_LINE = "found query: hello"
MESSAGE_LINE = "message to ada@example.com"


def test_dependency_and_endpoint_lines_land_in_order(
    client: TestClient, read_log: Callable[[], list[str]]
) -> None:
    response = client.post("/send-notification/ada@example.com", params={"q": "hello"})

    assert response.status_code == 200
    assert response.json() == {"message": "Message sent"}
    assert read_log() == [QUERY_LINE, MESSAGE_LINE]


@pytest.mark.parametrize("params", [{}, {"q": ""}])
def test_without_a_query_only_the_endpoint_writes(
    client: TestClient, read_log: Callable[[], list[str]], params: dict[str, str]
) -> None:
    response = client.post("/send-notification/ada@example.com", params=params)

    assert response.status_code == 200
    assert read_log() == [MESSAGE_LINE]


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

    # The instance the sub-dependency got also holds the endpoint's task.
    [background_tasks] = seen
    assert [task.args[1] for task in background_tasks.tasks] == [
        QUERY_LINE,
        MESSAGE_LINE,
    ]
    assert read_log() == [QUERY_LINE, MESSAGE_LINE]


def test_the_response_does_not_wait_for_slow_tasks(
    live_client: httpx2.Client, write_gate: WriteGate, read_log: Callable[[], list[str]]
) -> None:
    response = live_client.post(
        "/send-notification/ada@example.com", params={"q": "hello"}
    )

    # Both tasks are held at the gate, so this response was sent before they ran.
    assert response.status_code == 200
    write_gate.wait_until_started()
    assert read_log() == []
    write_gate.release()
    write_gate.wait_until_written(2)
    assert read_log() == [QUERY_LINE, MESSAGE_LINE]


@pytest.mark.usefixtures("first_write_fails")
def test_a_failing_task_is_logged_and_the_next_one_still_runs(
    client: TestClient,
    read_log: Callable[[], list[str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    response = client.post("/send-notification/ada@example.com", params={"q": "hello"})

    assert response.status_code == 200
    assert read_log() == [MESSAGE_LINE]
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "write_log failed" in record.getMessage()
    assert QUERY_LINE in record.getMessage()
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], OSError)


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


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/send-notification/not-an-email", {"q": "hello"}),
        ("/send-notification/ada@example.com", {"q": "x" * 201}),
        ("/send-notification/ada@example.com", {"q": "hi\nmessage to eve@example.com"}),
        ("/send-notification/ada@example.com", {"q": "hi\rthere"}),
    ],
    ids=["invalid-email", "query-too-long", "query-with-newline", "query-with-cr"],
)
def test_bad_input_is_rejected_and_nothing_is_written(
    client: TestClient,
    read_log: Callable[[], list[str]],
    path: str,
    params: dict[str, str],
) -> None:
    response = client.post(path, params=params)

    assert response.status_code == 422
    assert response.json()["detail"]
    assert read_log() == []
