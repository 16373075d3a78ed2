"""The API's side of Celery: sending a task and reading its status."""

import logging
import threading
from typing import Annotated, Any

from celery import Celery
from fastapi import Depends, Request
from kombu.exceptions import OperationalError
from pydantic import BaseModel
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .config import Settings, celery_config

logger = logging.getLogger(__name__)

# What an unreachable broker or result backend raises, whichever of them is in use.
# Anything else (a message that cannot be encoded, say) is a bug, not an outage.
UNREACHABLE_ERRORS = (
    OperationalError,
    OSError,
    RedisConnectionError,
    RedisTimeoutError,
)


FAIL_FAST_RETRIES = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}


def api_config(settings: Settings) -> dict[str, Any]:
    """The worker's configuration, made to fail fast.

    A worker should wait out a broker outage; a request should not. Here each try to
    reach the broker or the result backend is bounded by ``broker_timeout`` seconds and
    made at most twice (the second on a fresh connection); then the request gets 503
    and the client retries later.
    """
    config = celery_config(settings)
    timeout = settings.broker_timeout
    config.update(
        broker_connection_timeout=timeout,
        task_publish_retry_policy=FAIL_FAST_RETRIES,
        redis_socket_connect_timeout=timeout,
        redis_socket_timeout=timeout,
        result_backend_transport_options={"retry_policy": FAIL_FAST_RETRIES},
    )
    if settings.broker_url and settings.broker_url.startswith(("redis:", "rediss:")):
        config["broker_transport_options"].update(
            socket_connect_timeout=timeout, socket_timeout=timeout
        )
    return config


class BrokerUnavailable(Exception):
    """The broker or the result backend did not answer in time."""


class TaskStatus(BaseModel):
    task_id: str
    state: str
    """PENDING (queued, or unknown: Celery cannot tell them apart), STARTED, RETRY,
    SUCCESS or FAILURE."""
    result: Any = None
    """What the task returned, once it succeeded."""
    error: str | None = None
    """Why the last try failed, for RETRY and FAILURE."""


def _unavailable(error: BaseException) -> BrokerUnavailable:
    """Log what failed, with addresses; tell the client only that the queue is down."""
    logger.warning("Task queue unreachable: %s", _readable(error))
    return BrokerUnavailable(_readable(error))


def _readable(error: object) -> str:
    if isinstance(error, BaseException):
        return f"{type(error).__name__}: {error}"
    return str(error)


class TaskQueue:
    """Sends notification tasks to the workers of a Celery app and reports on them."""

    def __init__(self, app: Celery) -> None:
        self._app = app

    def send_notification(self, email: str, message: str) -> str:
        """Queue a notification and return its task id.

        Blocking: it talks to the broker. Raises BrokerUnavailable when the broker or
        the result backend cannot be reached within the configured timeout.
        """
        try:
            result = self._app.send_task("notifications.send", args=(email, message))
        except UNREACHABLE_ERRORS as error:
            raise _unavailable(error) from error
        except RuntimeError as error:
            # Celery's Redis result backend reports a failed reconnect this way (and
            # logs "must be restarted"); the next request reconnects by itself.
            if isinstance(error.__cause__, UNREACHABLE_ERRORS):
                raise _unavailable(error.__cause__) from error
            raise
        return str(result.id)

    def status(self, task_id: str) -> TaskStatus:
        """Read the state of a task from the result backend (blocking)."""
        try:
            meta = self._app.backend.get_task_meta(task_id)
        except UNREACHABLE_ERRORS as error:
            raise _unavailable(error) from error
        state, outcome = meta["status"], meta.get("result")
        if state == "SUCCESS":
            return TaskStatus(task_id=task_id, state=state, result=outcome)
        if state in ("FAILURE", "RETRY"):
            return TaskStatus(task_id=task_id, state=state, error=_readable(outcome))
        return TaskStatus(task_id=task_id, state=state)


_creating = threading.Lock()


def get_task_queue(request: Request) -> TaskQueue:
    """Dependency: the queue of the app's workers, made once from the app's settings."""
    state = request.app.state
    task_queue: TaskQueue | None = getattr(state, "task_queue", None)
    if task_queue is None:
        with _creating:  # the first requests may arrive together
            if not hasattr(state, "task_queue"):
                config = api_config(state.settings)
                state.task_queue = TaskQueue(Celery(__name__, config_source=config))
            task_queue = state.task_queue
    return task_queue


TaskQueueDep = Annotated[TaskQueue, Depends(get_task_queue)]
