"""The API's side of Celery: sending a task and reading its status."""

import functools
import inspect
import logging
import sys
from typing import Annotated, Any

from celery import Celery, Task
from celery.backends.redis import RedisBackend
from fastapi import Depends, Request, status
from fastapi.responses import JSONResponse
from kombu.exceptions import OperationalError
from pydantic import BaseModel
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .config import (
    RABBITMQ_URL_PREFIXES,
    REDIS_URL_PREFIXES,
    Settings,
    celery_config,
)

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
        # One result backend, and its connection pool, for all of FastAPI's threads,
        # instead of one backend and connection per thread.
        result_backend_thread_safe=True,
        broker_connection_timeout=timeout,
        task_publish_retry_policy=FAIL_FAST_RETRIES,
        redis_socket_connect_timeout=timeout,
        redis_socket_timeout=timeout,
        result_backend_transport_options={"retry_policy": FAIL_FAST_RETRIES},
    )
    broker_url = settings.broker_url or ""
    if broker_url.startswith(REDIS_URL_PREFIXES):
        config["broker_transport_options"].update(
            socket_connect_timeout=timeout, socket_timeout=timeout
        )
    elif broker_url.startswith(RABBITMQ_URL_PREFIXES) and sys.platform != "win32":
        # Bound every read and write on RabbitMQ, such as the declaration of a queue
        # before its first send. py-amqp sets them as socket options in a form only
        # POSIX reads: on Windows, send's confirm_timeout bounds the confirm alone.
        config["broker_transport_options"].update(
            read_timeout=timeout, write_timeout=timeout
        )
    return config


class BrokerUnavailable(Exception):
    """The broker or the result backend did not answer in time."""


# How long a client should wait before it tries again after a 503.
RETRY_AFTER_SECONDS = 5
UNAVAILABLE = {"description": "The broker or the result backend is unreachable"}


async def answer_unavailable(request: Request, error: Exception) -> JSONResponse:
    """Exception handler: BrokerUnavailable, from any endpoint, becomes 503.

    The cause, with the broker's address, is in the server log only.
    """
    return JSONResponse(
        {"detail": "The task queue is unreachable, try again later"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


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


# The task id whose state the readiness check reads: no task has it.
READINESS_TASK_ID = "00000000-0000-0000-0000-000000000000"


def _unreachable(what: str, error: BaseException) -> str:
    logger.warning("%s unreachable: %s", what.capitalize(), _readable(error))
    return f"unreachable ({type(error).__name__})"


def _readable(error: object) -> str:
    if isinstance(error, BaseException):
        return f"{type(error).__name__}: {error}"
    return str(error)


# A task's signature never changes: read it once (inspect.signature takes longer than
# the rest of a send).
_signature = functools.cache(inspect.signature)


def check_arguments(task: Task, args: tuple[Any, ...]) -> None:
    """Raise TypeError, as ``task.delay`` does, when ``args`` do not fit ``task``."""
    _signature(task.run).bind(*args)


def _wait_for_no_result(producer: Any, task_id: str) -> None:
    """Replaces the result backend's ``on_task_call``: nothing to prepare."""


class TaskQueue:
    """Sends tasks to the workers of a Celery app and reports on them."""

    def __init__(self, app: Celery) -> None:
        self._app = app

    def send(self, task: Task, *args: Any) -> str:
        """Queue ``task`` with these arguments (JSON values only); return its id.

        As ``task.delay`` would, it checks the arguments against the task's signature
        first (TypeError) and sends to the task's own ``queue`` when it has one; but
        it sends through this queue's fail-fast Celery app, by the task's name.
        Blocking: it talks to the broker, and on RabbitMQ waits for its publisher
        confirm. Raises BrokerUnavailable when the broker or the result backend
        cannot be reached, or the confirm does not come, within the configured
        timeout (``broker_connection_timeout`` seconds a try), and kombu's
        EncodeError for an argument that has no JSON form.
        """
        check_arguments(task, args)
        options = {"queue": task.queue} if getattr(task, "queue", None) else {}
        try:
            backend = self._app.backend
            if isinstance(backend, RedisBackend):
                # The API reads states and never waits on a result: it skips the
                # subscription to each result that Redis's backend makes for get().
                backend.on_task_call = _wait_for_no_result
            # A publisher confirm is awaited no longer than a connection may take
            # (kombu waits for ever by default): a broker that hangs on an open
            # connection gives 503 like one that is down.
            timeout = self._app.conf.broker_connection_timeout
            result = self._app.send_task(
                task.name, args=args, confirm_timeout=timeout, **options
            )
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
        """Read the state of a task from the result backend (blocking).

        Raises BrokerUnavailable when the result backend cannot be reached.
        """
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

    def broker_problem(self) -> str | None:
        """Connect to the broker once, on a new connection (blocking, at most
        ``broker_timeout`` seconds): None if it answers, else why not. The error, with
        the broker's address, goes to the server log only."""
        try:
            with self._app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=0)
        except Exception as error:  # whatever it is, no task can be sent now
            return _unreachable("broker", error)
        return None

    def result_backend_problem(self) -> str | None:
        """Read a task state from the result backend (blocking, as ``status``): None
        once it answers, else why not, as ``broker_problem``."""
        try:
            self._app.backend.get_task_meta(READINESS_TASK_ID)
        except Exception as error:  # a wrong database number, another service...
            return _unreachable("result backend", error)
        return None


async def get_task_queue(request: Request) -> TaskQueue:
    """Dependency: the task queue that ``create_app`` made for the app (``async``: a
    plain function would cost every request a trip through the thread pool)."""
    task_queue: TaskQueue = request.app.state.task_queue
    return task_queue


TaskQueueDep = Annotated[TaskQueue, Depends(get_task_queue)]
