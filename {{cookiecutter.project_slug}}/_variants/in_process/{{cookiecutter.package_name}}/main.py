"""The FastAPI application; `fastapi run` serves it (see README.md)."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from . import __version__
from .background import Backlog, TaskThreads, limit_background_work
from .config import Settings
from .health import router as health_router
from .logging_config import configure_logging
from .notifications import router as notifications_router
from .request_id import FastAPIWithRequestIds


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start-up, set up logging from the app's settings: the server has set up its
    own by then, and ours replaces it."""
    settings: Settings = app.state.settings
    configure_logging(settings.log_level, settings.log_format)
    yield


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application from ``settings`` (read from the environment if None).

    ``limit_background_work`` is a dependency of every route, those of routers
    included later too: it bounds the requests whose background tasks are pending,
    and runs their plain ``def`` tasks in the app's ``TaskThreads``.
    """
    settings = settings if settings is not None else Settings()
    app = FastAPIWithRequestIds(
        title={{ cookiecutter.project_name | python_string }},
        description={{ cookiecutter.description | python_string }},
        version=__version__,
        lifespan=lifespan,
        dependencies=[Depends(limit_background_work)],
    )
    app.state.settings = settings
    app.state.backlog = Backlog(settings.max_pending_requests)
    app.state.task_threads = TaskThreads(settings.task_threads)
    app.include_router(notifications_router)
    app.include_router(health_router)
    return app


app = create_app()
# What the imports and the app made lives as long as the process: left out of every
# garbage collection, it no longer lengthens the pauses that stall all requests.
gc.freeze()
