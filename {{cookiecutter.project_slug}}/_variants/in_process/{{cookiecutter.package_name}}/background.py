"""Background work that can neither fail in silence nor pile up in memory.

Starlette runs a request's background tasks one after another once the response has
been sent; a task that raises stops the tasks after it and reaches nobody but the
server log. ``log_failures`` turns that into one logged error per failed task.

Tasks that wait live in this process's memory only. ``limit_background_work``, a
dependency of every route, keeps their number bounded: past the limit, a request
that could schedule work gets 503 before it runs.
"""

import functools
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar, cast

from fastapi import BackgroundTasks, HTTPException, Request, status
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.background import BackgroundTask

Task = TypeVar("Task", bound=Callable[..., Any])

logger = logging.getLogger(__name__)


def log_failures(task: Task) -> Task:
    """Wrap a background task so that its exception is logged, not raised.

    ``task`` may be a plain function or an ``async def`` one; the wrapper is of the
    same kind, so FastAPI still runs a plain task in its thread pool and awaits an
    async one on the event loop. An ``Exception`` from the task is logged at ERROR
    with the task's name, its arguments and the traceback, and the wrapper returns
    None: the request's later tasks still run, where Starlette would skip them.
    """
    name = getattr(task, "__qualname__", repr(task))

    def log(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        logger.exception(
            "Background task %s failed (args=%r, kwargs=%r)", name, args, kwargs
        )

    if inspect.iscoroutinefunction(task):

        @functools.wraps(task)
        async def run_async(*args: Any, **kwargs: Any) -> None:
            try:
                await task(*args, **kwargs)
            except Exception:
                log(args, kwargs)

        return cast(Task, run_async)

    @functools.wraps(task)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            task(*args, **kwargs)
        except Exception:
            log(args, kwargs)

    return cast(Task, run)


# How long a client turned away by a full backlog should wait before it tries again.
RETRY_AFTER_SECONDS = 1
BACKLOG_FULL = {"description": "Too many requests still have background tasks to run"}


class Backlog:
    """Requests to routes that schedule background work, counted from the moment
    they are handled until their background tasks have run."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pending = 0


class ScheduledTooLate(RuntimeError):
    """A task was added after the request's background tasks had run."""


class _RequestTasks(list[BackgroundTask]):
    """A request's task list that refuses a task nobody would run any more.

    FastAPI runs the tasks once the response has been sent, then closes the
    request's yield dependencies; a task added by their exit code would be dropped
    without a word (FastAPI issue 14137).
    """

    ran = False

    def __iter__(self) -> Iterator[BackgroundTask]:
        yield from super().__iter__()  # picks up tasks that running tasks add
        self.ran = True

    def append(self, task: BackgroundTask) -> None:
        if self.ran:
            name = getattr(task.func, "__qualname__", repr(task.func))
            raise ScheduledTooLate(
                f"Background task {name} was added after this request's background"
                " tasks had run, so it would never run. Add it before the"
                " dependency's yield, or declare the dependency with"
                ' Depends(..., scope="function") so that its exit code runs before'
                " the response."
            )
        super().append(task)


def schedules_background_work(route: APIRoute) -> bool:
    """Whether the route, or any dependency of it, takes ``BackgroundTasks``."""

    def takes_background_tasks(dependant: Dependant) -> bool:
        own = dependant.call is not limit_background_work and bool(
            dependant.background_tasks_param_name
        )
        return own or any(map(takes_background_tasks, dependant.dependencies))

    return takes_background_tasks(route.dependant)


async def limit_background_work(
    request: Request, background_tasks: BackgroundTasks
) -> AsyncIterator[None]:
    """App-wide dependency: bound the requests whose background tasks are pending.

    A request to a route that takes ``BackgroundTasks`` (in its endpoint or any of
    its dependencies) is counted in ``app.state.backlog`` until its background tasks
    have run: FastAPI closes a yield dependency of the default "request" scope only
    then. When ``Backlog.limit`` such requests are pending, the next one gets 503
    with ``Retry-After`` before its endpoint runs. Other routes (``/health``) are
    neither counted nor refused. Raises ``HTTPException`` (503).
    """
    route = request.scope.get("route")
    if not (isinstance(route, APIRoute) and schedules_background_work(route)):
        yield
        return
    backlog: Backlog = request.app.state.backlog
    if backlog.pending >= backlog.limit:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "Too many background tasks are pending, try again later",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    background_tasks.tasks = _RequestTasks(background_tasks.tasks)
    backlog.pending += 1
    try:
        yield
    finally:
        backlog.pending -= 1
