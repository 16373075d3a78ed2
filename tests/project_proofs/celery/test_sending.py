"""What the API asks of the result backend as it sends a task: nothing to wait on."""

import uuid

import pytest
import redis
from celery import Celery

from background_tasks_app import tasks
from background_tasks_app.config import Settings
from background_tasks_app.task_queue import TaskQueue, api_config

from tests.support import WAIT_SECONDS, delete_queue


@pytest.mark.redis_results
def test_sending_a_task_subscribes_to_no_result(
    real_broker: tuple[str, str | None], settings: Settings
) -> None:
    """Celery's Redis result backend subscribes to each result as the task is sent,
    for ``result.get()``, and unsubscribes once the AsyncResult is dropped; the API
    never waits on one, so it must send neither command."""
    broker_url, result_backend = real_broker
    assert result_backend is not None  # see the redis_results marker in conftest.py
    own = settings.model_copy(update={"task_queue": f"proof-{uuid.uuid4().hex}"})
    celery = Celery(config_source=api_config(own))
    queue = TaskQueue(celery)
    done = f"proof-done-{uuid.uuid4().hex}"
    seen: list[str] = []
    try:
        with (
            redis.Redis.from_url(result_backend, socket_timeout=WAIT_SECONDS) as client,
            client.monitor() as monitor,
        ):
            task_ids = [
                queue.send(tasks.send_notification, "a@x.example", "hi") for _ in "ab"
            ]
            client.echo(done)
            while done not in (command := monitor.next_command()["command"]):
                seen.append(command)
        assert queue.status(task_ids[0]).state == "PENDING"  # no worker: queued
    finally:
        celery.close()
        delete_queue(broker_url, own.task_queue)

    ours = [command for command in seen if any(task in command for task in task_ids)]
    assert any(command.startswith("LPUSH") for command in ours)  # MONITOR saw them
    assert not [command for command in ours if "SUBSCRIBE" in command.upper()]
