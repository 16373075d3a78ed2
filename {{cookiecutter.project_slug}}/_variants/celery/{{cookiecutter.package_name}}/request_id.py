"""The request id, carried from the API to the worker in each task's message.

asgi-correlation-id's middleware keeps the id of the request being served in a
context variable, which every log record of the request takes (logging_config.py).
Here Celery's signals carry it further: the id goes into the headers of each task
message sent while it is set, and the worker sets it again while it logs the
message's arrival and runs the task, so that the worker's records for a task carry
the id of the request that queued it. asgi-correlation-id 5 left this to the
application.
"""

from contextvars import Token
from typing import Any

from asgi_correlation_id import correlation_id
from celery import Task, signals
from celery.worker.request import Request

HEADER = "request_id"
"""The message header that holds the id."""


@signals.before_task_publish.connect
def add_request_id(headers: dict[str, Any], **_: Any) -> None:
    """Put the current request id, if any, in the headers of the message sent."""
    request_id = correlation_id.get()
    if request_id is not None:
        headers[HEADER] = request_id


class RequestWithId(Request):
    """The worker's record of a task message, made as the message arrives: it sets
    the message's request id until the task_received signal, which Celery sends right
    after it logs the arrival, or until the next message arrives (a revoked or
    expired message gets no signal)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _forget(_ARRIVAL)
        request_id = self.request_dict.get(HEADER)
        if request_id is not None:
            _tokens[_ARRIVAL] = correlation_id.set(request_id)


class TaskWithRequestId(Task):
    """The base class of the worker's tasks: its requests carry the request id."""

    Request = RequestWithId


# The tokens that put back what the id was before it was set (never set: records
# show "-"), by task id, and for the message arriving.
_tokens: dict[str, Token[str | None]] = {}
_ARRIVAL = "arrival"


def _forget(key: str) -> None:
    token = _tokens.pop(key, None)
    if token is not None:
        correlation_id.reset(token)


@signals.task_received.connect
def forget_after_arrival(**_: Any) -> None:
    _forget(_ARRIVAL)


@signals.task_prerun.connect
def set_request_id(task_id: str, task: Task, **_: Any) -> None:
    """Set the request id of the task's message, if it has one, while the task runs."""
    request_id = getattr(task.request, HEADER, None)
    if request_id is not None:
        _tokens[task_id] = correlation_id.set(request_id)


@signals.task_postrun.connect
def forget_after_run(task_id: str, **_: Any) -> None:
    _forget(task_id)
