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
from collections.abc import AsyncIterator, Callable
from typing import ParamSpec

from fastapi import HTTPException, Request, status

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
    """Counts the requests whose background tasks have not finished yet."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pending = 0


async def hold_backlog_slot(request: Request) -> AsyncIterator[None]:
    """Dependency: count this request until its background tasks have finished.

    When ``limit`` requests are still pending, answer 503 with ``Retry-After`` before
    any task is scheduled. FastAPI runs the code after ``yield`` once the request's
    background tasks are done, or at once when the request fails: a slot is never
    held by tasks that will not run.
    """
    backlog: Backlog = request.app.state.backlog
    if backlog.pending >= backlog.limit:
        raise HTTPException(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="Too many background tasks are pending, try again later",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    backlog.pending += 1
    try:
        yield
    finally:
        backlog.pending -= 1
