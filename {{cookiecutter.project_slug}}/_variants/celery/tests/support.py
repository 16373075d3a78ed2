"""Helpers for the tests: a task queue that records, waiting with a deadline, and
leaving a shared broker as it was found."""

import time
from collections.abc import Callable
from typing import Any

from celery import Celery, Task
from fastapi.testclient import TestClient
from kombu import Connection, Exchange, Queue

from {{ cookiecutter.package_name }}.task_queue import (
    BrokerUnavailable,
    TaskQueue,
    TaskStatus,
    check_arguments,
)

# Upper bound for anything a test waits on: reaching it means the test failed.
WAIT_SECONDS = 15.0
FINAL_STATES = {"SUCCESS", "FAILURE"}
TASK_ID = "6f1c8e4e-5a3b-4c1d-9e2f-0a1b2c3d4e5f"

_queued: set[str] = set()


class FakeQueue(TaskQueue):
    """Records what it is sent, whatever the task; reports the statuses it is
    given, else PENDING. ``unreachable`` makes it fail as a broker and a result backend
    that are down."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, tuple[Any, ...]]] = []
        self.statuses: dict[str, TaskStatus] = {}
        self.unreachable = False

    def send(self, task: Task, *args: Any) -> str:
        check_arguments(task, args)  # a wrong call fails here too
        if self.unreachable:
            raise BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379")
        self.sent.append((task.name, args))
        return TASK_ID

    def status(self, task_id: str) -> TaskStatus:
        if self.unreachable:
            raise BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379")
        return self.statuses.get(task_id, TaskStatus(task_id=task_id, state="PENDING"))

    def broker_problem(self) -> str | None:
        return "unreachable (OperationalError)" if self.unreachable else None

    def result_backend_problem(self) -> str | None:
        return "unreachable (OperationalError)" if self.unreachable else None


def wait_until(condition: Callable[[], Any], what: str) -> Any:
    """Poll ``condition`` until it returns something true; fail at the deadline."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)
    return value


def wait_for_final_state(client: TestClient, status_url: str) -> dict[str, Any]:
    """Poll the task's status URL until it reports SUCCESS or FAILURE."""
    _queued.add(status_url.rsplit("/", 1)[-1])

    def final_status() -> dict[str, Any] | None:
        response = client.get(status_url)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body if body["state"] in FINAL_STATES else None

    result: dict[str, Any] = wait_until(final_status, f"{status_url} to finish")
    return result


def forget_results(app: Celery) -> None:
    """Delete the results of the tasks the tests waited for."""
    for task_id in _queued:
        app.AsyncResult(task_id).forget()
    _queued.clear()


def delete_queue(broker_url: str, name: str) -> None:
    """Remove a test's queue, as Celery declared it, and its exchange from a broker.

    Declared again first, so that kombu knows the binding it has to remove.
    """
    queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
    with Connection(broker_url) as connection:
        bound = queue(connection.default_channel)
        bound.declare()
        bound.delete()
        bound.exchange.delete()
