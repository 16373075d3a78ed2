import asyncio
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import httpx2
import pytest
from fastapi import BackgroundTasks, Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from {{ cookiecutter.package_name }} import tasks
from {{ cookiecutter.package_name }}.background import (
    ScheduledTooLate,
    TaskThreads,
    log_failures,
)
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.log_file import append_line

from tests.conftest import WAIT_SECONDS


def fail(item: str) -> None:
    raise OSError(f"No space left on device while writing {item}")


async def fail_async(item: str) -> None:
    raise OSError(f"No space left on device while writing {item}")


@pytest.mark.parametrize("task", [fail, fail_async])
def test_a_failing_task_is_logged_and_the_tasks_after_it_still_run(
    caplog: pytest.LogCaptureFixture, task: Callable[[str], object]
) -> None:
    done: list[str] = []

    async def note(item: str) -> None:
        done.append(item)

    background_tasks = BackgroundTasks()
    background_tasks.add_task(log_failures(task), "first")
    background_tasks.add_task(log_failures(done.append), "second")
    background_tasks.add_task(log_failures(note), "third")

    asyncio.run(background_tasks())

    assert done == ["second", "third"]
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert record.getMessage().startswith(
        f"Background task {task.__qualname__} failed (args=('first',)"
    )
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], OSError)


class AsyncNotifier:
    async def __call__(self, done: list[str]) -> None:
        done.append("notified")


def returns_a_coroutine(done: list[str]) -> object:
    return fail_async("the coroutine")


def test_no_task_is_dropped_in_silence(caplog: pytest.LogCaptureFixture) -> None:
    done: list[str] = []
    background_tasks = BackgroundTasks()
    background_tasks.add_task(log_failures(AsyncNotifier()), done)
    background_tasks.add_task(log_failures(returns_a_coroutine), done)

    asyncio.run(background_tasks())

    assert done == ["notified"]
    [record] = caplog.records
    assert "returns_a_coroutine returned a coroutine" in str(record.exc_info[1])


def test_past_the_limit_a_request_gets_503_and_schedules_nothing(
    app: FastAPI, client: TestClient, read_log: Callable[[], list[str]]
) -> None:
    app.state.backlog.pending = app.state.backlog.limit

    response = client.post("/send-notification/ada@example.com")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.json()["detail"].startswith("Too many background tasks")
    assert read_log() == []
    assert client.get("/health").status_code == 200  # schedules nothing: not refused


def test_a_request_is_counted_until_its_tasks_have_run(
    app: FastAPI, client: TestClient
) -> None:
    seen: list[int] = []

    @app.post("/count")
    async def count(background_tasks: BackgroundTasks) -> None:
        background_tasks.add_task(lambda: seen.append(app.state.backlog.pending))

    client.post("/count")
    client.post("/send-notification/not-an-email")  # 422: released at once

    assert seen == [1]
    assert client.get("/health/ready").json()["pending_requests"] == 0


def test_a_task_added_after_a_dependency_yield_is_refused_by_name(
    app: FastAPI, client: TestClient
) -> None:
    def audit() -> None: ...

    def session(background_tasks: BackgroundTasks) -> Iterator[None]:
        yield
        background_tasks.add_task(audit)

    @app.post("/late")
    async def late(_: Annotated[None, Depends(session)]) -> None: ...

    with pytest.raises(ScheduledTooLate, match=r"Background task .*audit was added"):
        client.post("/late")


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ValidationError, match="max_pending_requests"):
        Settings(max_pending_requests=0)


def test_tasks_that_wait_leave_plain_endpoints_their_threads(
    app: FastAPI,
    live_client: httpx2.Client,
    read_log: Callable[[], list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """40 tasks hold every task thread, and with them all of anyio's 40 threads if
    they ran there: a plain ``def`` endpoint still answers."""
    threads = 40  # anyio's default
    app.state.task_threads = TaskThreads(threads)
    release, all_started = threading.Event(), threading.Barrier(threads + 1)
    written = threading.Semaphore(0)

    def held_append_line(path: Path, text: str) -> None:
        all_started.wait(WAIT_SECONDS)
        assert release.wait(WAIT_SECONDS), "the test never released the task"
        append_line(path, text)
        written.release()

    @app.get("/plain")
    def plain() -> str:
        return "answered"

    monkeypatch.setattr(tasks, "append_line", held_append_line)
    for number in range(threads):
        response = live_client.post(f"/send-notification/user-{number}@example.com")
        assert response.status_code == 200
    all_started.wait(WAIT_SECONDS)  # raises BrokenBarrierError if some never started

    assert live_client.get("/plain", timeout=WAIT_SECONDS).json() == "answered"
    release.set()
    for _ in range(threads):
        assert written.acquire(timeout=WAIT_SECONDS)
    assert len(read_log()) == threads
