"""Background work that can neither fail in silence nor pile up in memory.

Starlette runs a request's background tasks one after another once the response has
been sent; a task that raises stops the tasks after it and reaches nobody but the
server log. ``log_failures`` turns that into one logged error per failed task.

Tasks that wait live in this process's memory only. ``limit_background_work``, a
dependency of every route, keeps their number bounded: past the limit, a request
that could schedule work gets 503 before it runs. It also runs each request's plain
``def`` tasks in the app's own threads (``TaskThreads``) instead of anyio's pool.
"""

import asyncio
import contextvars
import functools
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

import anyio
from fastapi import BackgroundTasks, HTTPException, status
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.background import BackgroundTask
from starlette.requests import HTTPConnection

Task = TypeVar("Task", bound=Callable[..., Any])

logger = logging.getLogger(__name__)


def log_failures(task: Task) -> Task:
    """Wrap a background task so that its exception is logged, not raised.

    ``task`` may be a plain function or an ``async def`` one; the wrapper is of the
    same kind, so a plain task still runs in a thread (``TaskThreads``) and an async
    one is awaited on the event loop. An ``Exception`` from the task is logged at ERROR
    with the task's name, its arguments and the traceback, and the wrapper returns
    None: the request's later tasks still run, where Starlette would skip them.
    """
    name = getattr(task, "__qualname__", repr(task))

    def log(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        logger.exception(
            "Background task %s failed (args=%r, kwargs=%r)", name, args, kwargs
        )

    # An object whose __call__ is async is an async task too.
    if inspect.iscoroutinefunction(task) or inspect.iscoroutinefunction(
        type(task).__call__
    ):

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
            result = task(*args, **kwargs)
            if inspect.iscoroutine(result):
                result.close()  # nothing would await it: say so, rather than drop it
                raise TypeError(f"{name} returned a coroutine: make it an async def")
        except Exception:
            log(args, kwargs)

    return cast(Task, run)


# How long a client turned away by a full backlog should wait before it tries again.
RETRY_AFTER_SECONDS = 1
BACKLOG_FULL = {"description": "Too many requests still have background tasks to run"}


class Backlog:
    """Requests that have scheduled, or may schedule, background work, counted until
    their background tasks have run."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pending = 0

    def reserve(self) -> None:
        """Count one more request; raises ``HTTPException`` (503) when full."""
        if self.pending >= self.limit:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                "Too many background tasks are pending, try again later",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        self.pending += 1


class TaskThreads(ThreadPoolExecutor):
    """The threads that run the app's plain ``def`` background tasks.

    Starlette runs such a task with ``run_in_threadpool``: anyio's 40 threads,
    shared with plain ``def`` endpoints and dependencies, and an event-loop round
    trip before each task can start, which under load costs more than the task.
    Here a free thread takes the next queued task at once, and slow tasks cannot
    take the threads that endpoints need. ``max_workers`` threads are started as
    tasks need them.
    """

    def __init__(self, max_workers: int) -> None:
        super().__init__(max_workers, thread_name_prefix="background-task")


class _ThreadedTask(BackgroundTask):
    """A plain ``def`` task that runs in ``TaskThreads``, with the context (request
    id) of the request that added it, as ``run_in_threadpool`` gives. It runs outside
    anyio's threads, so it cannot call ``anyio.from_thread``: a task that needs the
    event loop is an ``async def`` one."""

    def __init__(self, task: BackgroundTask, threads: TaskThreads) -> None:
        self.func, self.args, self.kwargs = task.func, task.args, task.kwargs
        self.is_async, self.threads = False, threads

    async def __call__(self) -> None:
        context = contextvars.copy_context()
        call = functools.partial(context.run, self.func, *self.args, **self.kwargs)
        # Shielded, as anyio shields run_in_threadpool: a cancel scope cannot stop a
        # thread, so the request stays counted until its task has run.
        with anyio.CancelScope(shield=True):
            await asyncio.get_running_loop().run_in_executor(self.threads, call)


class ScheduledTooLate(RuntimeError):
    """A task was added after the request's background tasks had run."""


class _RequestTasks(list[BackgroundTask]):
    """A request's background tasks, which keep its place in the backlog.

    Plain ``def`` tasks are run in ``threads``. A request not counted yet is counted
    at its first task (or refused with 503): the backstop for routes whose
    ``BackgroundTasks`` the route does not show, as when it comes from a dependency
    given to ``include_router``. A task added once the tasks have run would be
    dropped without a word (FastAPI issue 14137): it raises ``ScheduledTooLate``
    instead.
    """

    def __init__(self, backlog: Backlog, threads: TaskThreads, counted: bool) -> None:
        super().__init__()
        self.backlog, self.threads = backlog, threads
        self.counted, self.ran = counted, False

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
        if not self.counted:
            self.backlog.reserve()
            self.counted = True
        super().append(task if task.is_async else _ThreadedTask(task, self.threads))


def schedules_background_work(route: APIRoute) -> bool:
    """Whether the route, or any dependency of it, takes ``BackgroundTasks``."""

    def takes_background_tasks(dependant: Dependant) -> bool:
        own = dependant.call is not limit_background_work and bool(
            dependant.background_tasks_param_name
        )
        return own or any(map(takes_background_tasks, dependant.dependencies))

    return takes_background_tasks(route.dependant)


async def limit_background_work(
    connection: HTTPConnection, background_tasks: BackgroundTasks
) -> AsyncIterator[None]:
    """App-wide dependency: bound the requests whose background tasks are pending.

    A request to a route that takes ``BackgroundTasks`` (in its endpoint or any of
    its dependencies) is counted in ``app.state.backlog`` from the start, and any
    other request from its first task, until its background tasks have run: FastAPI
    closes a yield dependency of the default "request" scope only then. Past
    ``Backlog.limit``, such a request gets 503 with ``Retry-After`` before its
    endpoint runs. Other routes (``/health``, websockets) are neither counted nor
    refused. The request's plain ``def`` tasks run in ``app.state.task_threads``.
    Raises ``HTTPException`` (503).
    """
    backlog: Backlog = connection.app.state.backlog
    route = connection.scope.get("route")
    counted = isinstance(route, APIRoute) and schedules_background_work(route)
    if counted:
        backlog.reserve()
    threads: TaskThreads = connection.app.state.task_threads
    tasks = background_tasks.tasks = _RequestTasks(backlog, threads, counted)
    try:
        yield
    finally:
        if tasks.counted:
            backlog.pending -= 1
