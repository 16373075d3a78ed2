"""The API's side of Celery on the suite's own result backend, without a worker."""

import contextlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from celery import Celery
from kombu.exceptions import EncodeError

from {{ cookiecutter.package_name }} import tasks
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.task_queue import (
    TaskQueue,
    api_config,
)


@pytest.fixture
def celery(settings: Settings) -> Celery:
    return Celery(config_source=api_config(settings))


@pytest.fixture
def task_id(celery: Celery) -> Iterator[str]:
    """A new task id, whose result is deleted from the backend afterwards."""
    task_id = str(uuid.uuid4())
    yield task_id
    # The file backend raises for a result it never stored; Redis does not.
    with contextlib.suppress(FileNotFoundError):
        celery.backend.forget(task_id)


@pytest.mark.parametrize(
    ("store", "expected"),
    [
        (lambda backend, task_id: None, {"state": "PENDING"}),
        (
            lambda backend, task_id: backend.mark_as_started(task_id),
            {"state": "STARTED"},
        ),
        (
            lambda backend, task_id: backend.mark_as_done(task_id, "notification"),
            {"state": "SUCCESS", "result": "notification"},
        ),
        (
            lambda backend, task_id: backend.mark_as_failure(task_id, OSError("full")),
            {"state": "FAILURE", "error": "OSError: full"},
        ),
    ],
    ids=["unknown", "started", "success", "failure"],
)
def test_the_status_is_read_from_the_result_backend(
    celery: Celery,
    task_id: str,
    store: Callable[[Any, str], None],
    expected: dict[str, str],
) -> None:
    store(celery.backend, task_id)

    status = TaskQueue(celery).status(task_id)

    assert status.model_dump(exclude_none=True) == {"task_id": task_id, **expected}


def test_only_json_arguments_that_fit_the_task_can_be_sent(celery: Celery) -> None:
    queue = TaskQueue(celery)

    with pytest.raises(EncodeError):  # a set has no JSON form
        queue.send(tasks.send_notification, "a@example.com", {"x"})
    with pytest.raises(TypeError, match="message"):
        queue.send(tasks.send_notification, "a@example.com")
