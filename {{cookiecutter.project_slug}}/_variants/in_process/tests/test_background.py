import asyncio
import logging

import pytest
from fastapi import BackgroundTasks

from {{ cookiecutter.package_name }}.background import log_failures


def fail(item: str) -> None:
    raise OSError(f"No space left on device while writing {item}")


def test_a_failing_task_is_logged_and_the_tasks_after_it_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    done: list[str] = []
    background_tasks = BackgroundTasks()
    background_tasks.add_task(log_failures(fail), "first")
    background_tasks.add_task(log_failures(done.append), "second")

    asyncio.run(background_tasks())

    assert done == ["second"]
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert record.getMessage() == (
        "Background task fail failed (args=('first',), kwargs={})"
    )
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], OSError)


def test_without_the_guard_a_failure_stops_the_tasks_after_it() -> None:
    """Starlette's own behaviour, which ``log_failures`` exists to prevent."""
    done: list[str] = []
    background_tasks = BackgroundTasks()
    background_tasks.add_task(fail, "first")
    background_tasks.add_task(done.append, "second")

    with pytest.raises(OSError, match="first"):
        asyncio.run(background_tasks())
    assert done == []
