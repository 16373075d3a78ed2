"""An unreachable or hanging broker gives 503 in bounded time, and the API recovers
by itself."""

import socket
import threading
from collections.abc import Callable
from typing import TypeVar

import httpx2
import pytest
from conftest import BrokerProxy, Workers, free_port, settings_from
from fastapi.testclient import TestClient

from background_tasks_app.config import Settings
from background_tasks_app.task_queue import BrokerUnavailable, TaskQueue

from tests.support import WAIT_SECONDS, delete_queue, wait_for_final_state

T = TypeVar("T")


def finished_within_deadline(call: Callable[[], T], what: str) -> T:
    """Call in a thread, so that a call that hangs fails the test instead of
    stalling it; return what it returned."""
    outcomes: list[T] = []
    thread = threading.Thread(target=lambda: outcomes.append(call()))
    thread.start()
    thread.join(WAIT_SECONDS)
    assert not thread.is_alive(), f"{what} still waits for the broker"
    [outcome] = outcomes
    return outcome


def within_deadline(client: TestClient, method: str, path: str) -> httpx2.Response:
    """Send the request within the deadline (``finished_within_deadline``)."""
    return finished_within_deadline(
        lambda: client.request(method, path), f"{method} {path}"
    )


def post_within_deadline(client: TestClient, path: str) -> int:
    """POST within the deadline; a task it queued is waited for, so that its result
    is deleted with the others."""
    response = within_deadline(client, "POST", path)
    if response.status_code == 202:
        status = wait_for_final_state(client, response.json()["status_url"])
        assert status["state"] == "SUCCESS"
    return response.status_code


@pytest.mark.parametrize(
    ("broker", "result_backend"),
    [
        ("redis://127.0.0.1:{port}/0", "redis://127.0.0.1:{port}/1"),
        ("amqp://guest:guest@127.0.0.1:{port}//", None),
    ],
    ids=["redis", "rabbitmq"],
)
def test_a_broker_that_is_down_gives_503_not_a_hang(
    api_for: Callable[[Settings], TestClient],
    broker: str,
    result_backend: str | None,
) -> None:
    port = free_port()  # nothing listens there
    client = api_for(
        Settings(
            broker_url=broker.format(port=port),
            result_backend=result_backend and result_backend.format(port=port),
            broker_timeout=1,
        )
    )

    code = post_within_deadline(client, "/send-notification/ada@example.com")

    assert code == 503


@pytest.mark.parametrize(
    ("broker", "result_backend"),
    [
        ("redis://127.0.0.1:{port}/0", "redis://127.0.0.1:{port}/1"),
        ("amqp://guest:guest@127.0.0.1:{port}//", None),
    ],
    ids=["redis", "rabbitmq"],
)
def test_readiness_is_503_with_the_reason_while_the_broker_never_answers(
    api_for: Callable[[Settings], TestClient],
    broker: str,
    result_backend: str | None,
) -> None:
    # The system accepts connections on its behalf; it never says a word.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        client = api_for(
            Settings(
                broker_url=broker.format(port=port),
                result_backend=result_backend and result_backend.format(port=port),
                broker_timeout=1,
            )
        )

        ready = within_deadline(client, "GET", "/health/ready")
        alive = within_deadline(client, "GET", "/health")

    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"
    assert ready.json()["broker"].startswith("unreachable (")
    assert alive.status_code == 200


def test_the_api_recovers_by_itself_when_the_broker_is_back(
    real_broker_env: dict[str, str],
    workers: Workers,
    api_for: Callable[[Settings], TestClient],
    unique_email: str,
) -> None:
    workers.start("nowhere")
    proxy = BrokerProxy(real_broker_env["CELERY_BROKER_URL"])
    # The worker's queue and result backend, reached through the proxy's broker.
    settings = settings_from(real_broker_env)
    client = api_for(settings.model_copy(update={"broker_url": proxy.url}))
    path = f"/send-notification/{unique_email}"

    assert post_within_deadline(client, path) == 503
    assert within_deadline(client, "GET", "/health/ready").status_code == 503
    proxy.restore()
    try:
        assert post_within_deadline(client, path) == 202
        assert within_deadline(client, "GET", "/health/ready").status_code == 200
        proxy.cut()
        assert post_within_deadline(client, path) == 503
        proxy.restore()
        assert post_within_deadline(client, path) == 202
    finally:
        proxy.cut()


class TaskOfAnotherQueue:
    """What ``TaskQueue.send`` reads of a task (name, queue, run), for a task of a
    queue no worker consumes."""

    name = "proofs.elsewhere"

    def __init__(self, queue: str) -> None:
        self.queue = queue

    def run(self) -> None:
        """Never runs."""


def send_to_a_queue_of_its_own(client: TestClient, queue: str) -> int:
    """Send, as a second endpoint would, a task of another queue: its first send on a
    connection declares that queue first. Returns the status the endpoint would give."""
    task_queue: TaskQueue = client.app.state.task_queue  # type: ignore[attr-defined]
    elsewhere = TaskOfAnotherQueue(queue)

    def send() -> int:
        try:
            task_queue.send(elsewhere)  # type: ignore[arg-type]
        except BrokerUnavailable:
            return 503
        return 202

    return finished_within_deadline(send, "a send to another queue")


@pytest.mark.parametrize("send", ["notification", "task of another queue"])
def test_a_broker_that_hangs_on_an_open_connection_gives_503_not_a_hang(
    real_broker_env: dict[str, str],
    api_for: Callable[[Settings], TestClient],
    unique_email: str,
    send: str,
) -> None:
    proxy = BrokerProxy(real_broker_env["CELERY_BROKER_URL"])
    proxy.restore()
    settings = settings_from(real_broker_env).model_copy(
        update={"broker_url": proxy.url, "broker_timeout": 1}
    )
    client = api_for(settings)
    path = f"/send-notification/{unique_email}"
    other_queue = f"{settings.task_queue}-elsewhere"
    try:
        # The send opens the connection that the next one reuses (no worker takes
        # the task: the test's queue is deleted with it).
        assert within_deadline(client, "POST", path).status_code == 202
        proxy.freeze()

        if send == "notification":
            code = within_deadline(client, "POST", path).status_code
        else:
            code = send_to_a_queue_of_its_own(client, other_queue)
    finally:
        proxy.cut()
        delete_queue(real_broker_env["CELERY_BROKER_URL"], other_queue)

    # On RabbitMQ, without timeouts, the send waited for ever: for the publisher
    # confirm, or for the reply to the declaration of the other queue.
    assert code == 503
