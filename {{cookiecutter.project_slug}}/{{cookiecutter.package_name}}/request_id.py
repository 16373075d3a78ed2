"""The request id: the client's ``X-Request-ID`` when it is a UUID, a new one
otherwise, returned in the response's ``X-Request-ID``, 500s included.

asgi-correlation-id's middleware keeps it in a context variable, which every log
record of the request takes (logging_config.py){% if cookiecutter.task_pattern == "celery" %}. Celery's signals carry it further:
the id goes into the headers of each task message sent while it is set, and the
worker sets it again while it logs the message's arrival and runs the task, so that
the worker's records of a task carry the id of the request that queued it
(asgi-correlation-id 5 left this part to the application){% else %}, those of its background tasks
included: Starlette runs them within the request, in a copy of its context{% endif %}.
"""

import re
{%- if cookiecutter.task_pattern == "celery" %}
from contextvars import Token
from typing import Any

from asgi_correlation_id import CorrelationIdMiddleware, correlation_id
from celery import Task, signals
from celery.worker.request import Request as TaskRequest
{%- else %}

from asgi_correlation_id import CorrelationIdMiddleware
{%- endif %}
from fastapi import FastAPI
from starlette.types import ASGIApp

# 32 hex digits, with or without the dashes of a UUID; nothing longer.
_VALID = re.compile(r"[0-9a-f]{32}|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.I)


def is_valid(request_id: str) -> bool:
    """Whether a client's ``X-Request-ID`` is taken as it is: a UUID, as 32 hex
    digits with or without its dashes. Any other value is replaced by a new id."""
    return _VALID.fullmatch(request_id) is not None


class FastAPIWithRequestIds(FastAPI):
    """FastAPI, with asgi-correlation-id's middleware around everything else.

    Outside Starlette's ServerErrorMiddleware, a 500 carries the id too; outside every
    middleware added with ``add_middleware`` or ``@app.middleware``, even those added
    later (each goes outside the ones before it), the id is set in the context that
    they run in and that uvicorn's access log sees.
    """

    def build_middleware_stack(self) -> ASGIApp:
        return CorrelationIdMiddleware(
            super().build_middleware_stack(), validator=is_valid
        )
{%- if cookiecutter.task_pattern == "celery" %}


HEADER = "request_id"
"""The message header that holds the id."""


@signals.before_task_publish.connect
def add_to_message(headers: dict[str, Any], **_: Any) -> None:
    """Put the current request id, if any, in the headers of the message sent."""
    request_id = correlation_id.get()
    if request_id is not None:
        headers[HEADER] = request_id


class RequestWithId(TaskRequest):
    """The worker's record of a task message, made as the message arrives: it sets
    the message's request id until the task_received signal, which Celery sends right
    after it logs the arrival, or until it finds the message revoked or expired,
    which ends there."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _forget(_ARRIVAL)
        request_id = self.request_dict.get(HEADER)
        if request_id is not None:
            _tokens[_ARRIVAL] = correlation_id.set(request_id)

    def revoked(self) -> bool:
        revoked: bool = super().revoked()
        if revoked:
            _forget(_ARRIVAL)
        return revoked


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
{%- endif %}
