"""Guarding background tasks: a failure is logged, the work after it still runs, and
the work waiting in memory stays bounded.

Starlette runs a request's background tasks one after another once the response has been
sent. A task that raises stops the tasks after it, and nobody hears of it but the server
log ("Exception in ASGI application"). Every task here is wrapped by ``log_failures``.

Tasks that wait live in the web process's memory only. Under a load they cannot keep up
with they would pile up until the process dies and takes all of them with it; the
``Backlog`` turns new requests away with 503 first.
"""

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec

from fastapi import status
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send

from .params import BODY_REFUSED, carries_body

P = ParamSpec("P")

logger = logging.getLogger(__name__)


def log_failures(task: Callable[P, None]) -> Callable[P, None]:
    """Make ``task`` log its exception, with the arguments it got, instead of raising.

    The wrapper is a plain function, so FastAPI runs it in its thread pool: blocking
    I/O inside the task never stalls the event loop.
    """

    @functools.wraps(task)
    def run_logging_failures(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            task(*args, **kwargs)
        except Exception:
            logger.exception(
                "Background task %s failed (args=%r, kwargs=%r)",
                task.__qualname__,
                args,
                kwargs,
            )

    return run_logging_failures


# How long a client turned away by a full backlog should wait before it tries again.
RETRY_AFTER_SECONDS = 1
BACKLOG_FULL = {"description": "Too many requests still have background tasks to run"}


class Backlog:
    """Counts the requests being handled or whose background tasks have not finished."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pending = 0


def backlog_of(app: Starlette) -> Backlog:
    """The app's backlog, made on first use from its settings' bound.

    Only the event loop's thread calls this, so no lock is needed.
    """
    backlog: Backlog | None = getattr(app.state, "backlog", None)
    if backlog is None:
        backlog = app.state.backlog = Backlog(app.state.settings.max_pending_requests)
    return backlog


class BackgroundWorkRoute(APIRoute):
    """A route whose requests schedule background work, and are guarded before any.

    A request that carries a body gets 415: these endpoints take none. When
    ``Backlog.limit`` requests are pending, a request gets 503 with ``Retry-After``.
    Otherwise the request is counted until its ASGI call returns, which is once the
    response has been sent and its background tasks have run: a request that fails,
    and so schedules nothing, is let go at once.

    Both checks run before FastAPI's dependency injection: written as dependencies,
    they cut this endpoint's requests per second by about a quarter; here, they cost
    nothing measurable.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in self.methods:
            await super().handle(scope, receive, send)  # 405, with an Allow header
            return
        backlog = backlog_of(scope["app"])
        if carries_body(Headers(scope=scope)):
            refusal = JSONResponse(
                {"detail": BODY_REFUSED},
                status_code=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            )
        elif backlog.pending >= backlog.limit:
            refusal = JSONResponse(
                {"detail": "Too many background tasks are pending, try again later"},
                status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        else:
            backlog.pending += 1
            try:
                await super().handle(scope, receive, send)
            finally:
                backlog.pending -= 1
            return
        await refusal(scope, receive, send)
