"""An unreachable broker gives 503 in bounded time, and the API recovers by itself."""

import threading
from collections.abc import Callable

import httpx2
import pytest
from conftest import BrokerProxy, Workers, free_port, settings_from
from fastapi.testclient import TestClient

from background_tasks_app.config import Settings

from tests.support import WAIT_SECONDS, wait_for_final_state


def post_within_deadline(client: TestClient, path: str) -> int:
    """POST in a thread, so a request that hangs fails the test instead of stalling.

    A task it queued is waited for, so that its result is deleted with the others.
    """
    responses: list[httpx2.Response] = []
    thread = threading.Thread(target=lambda: responses.append(client.post(path)))
    thread.start()
    thread.join(WAIT_SECONDS)
    assert not thread.is_alive(), f"POST {path} still waits for the broker"
    [response] = responses
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
    proxy.restore()
    try:
        assert post_within_deadline(client, path) == 202
        proxy.cut()
        assert post_within_deadline(client, path) == 503
        proxy.restore()
        assert post_within_deadline(client, path) == 202
    finally:
        proxy.cut()
