"""The FastAPI application; `fastapi run` serves it (see README.md)."""

from celery import Celery
from fastapi import FastAPI

from . import __version__
from .config import Settings
from .health import router as health_router
from .notifications import router as notifications_router
from .task_queue import BrokerUnavailable, TaskQueue, answer_unavailable, api_config


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application from ``settings`` (read from the environment if None).

    Its task queue sends through a Celery app made here, configured to fail fast;
    it connects to the broker on the first request that needs it.
    """
    settings = settings if settings is not None else Settings()
    app = FastAPI(
        title={{ cookiecutter.project_name | python_string }},
        description={{ cookiecutter.description | python_string }},
        version=__version__,
    )
    app.state.settings = settings
    celery = Celery(__name__, config_source=api_config(settings))
    app.state.task_queue = TaskQueue(celery)
    app.add_exception_handler(BrokerUnavailable, answer_unavailable)
    app.include_router(notifications_router)
    app.include_router(health_router)
    return app


app = create_app()
