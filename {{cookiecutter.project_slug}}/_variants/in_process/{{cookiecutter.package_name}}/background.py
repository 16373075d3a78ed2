"""Guarding background tasks: a failure is logged, and the work after it still runs.

Starlette runs a request's background tasks one after another once the response has been
sent. A task that raises stops the tasks after it, and nobody hears of it but the server
log ("Exception in ASGI application"). Every task here is wrapped by ``log_failures``.
"""

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec

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
