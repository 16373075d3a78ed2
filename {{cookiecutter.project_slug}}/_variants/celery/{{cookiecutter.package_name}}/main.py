"""The FastAPI application; `fastapi run` serves it (see README.md)."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from celery import Celery
from fastapi import FastAPI

from . import __version__
from .config import Settings
from .health import router as health_router
from .logging_config import configure_logging
from .notifications import router as notifications_router
from .request_id import FastAPIWithRequestIds
from .result_backend import Loader
from .task_queue import BrokerUnavailable, TaskQueue, answer_unavailable, api_config


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start-up, set up logging from the app's settings: the server has set up its
    own by then, and ours replaces it."""
    settings: Settings = app.state.settings
    configure_logging(settings.log_level, settings.log_format)
    yield


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application from ``settings`` (read from the environment if None).

    Its task queue sends through a Celery app made here, configured to fail fast;
    it connects to the broker on the first request that needs it.
    """
    settings = settings if settings is not None else Settings()
    app = FastAPIWithRequestIds(
        title={{ cookiecutter.project_name | python_string }},
        description={{ cookiecutter.description | python_string }},
        version=__version__,
        lifespan=lifespan,
    )
    app.state.settings = settings
    celery = Celery(__name__, loader=Loader, config_source=api_config(settings))
    app.state.task_queue = TaskQueue(celery)
    app.add_exception_handler(BrokerUnavailable, answer_unavailable)
    app.include_router(notifications_router)
    app.include_router(health_router)
    return app


app = create_app()
# What the imports and the app made lives as long as the process: left out of every
# garbage collection, it no longer lengthens the pauses that stall all requests.
gc.freeze()
