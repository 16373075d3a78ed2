"""The FastAPI application; `fastapi run` serves it (see README.md)."""

from fastapi import FastAPI

from . import __version__
from .config import Settings
from .health import router as health_router
from .notifications import router as notifications_router


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; tests pass their own settings."""
    app = FastAPI(
        title={{ cookiecutter.project_name | python_string }},
        description={{ cookiecutter.description | python_string }},
        version=__version__,
    )
    app.state.settings = settings if settings is not None else Settings()
    app.include_router(notifications_router)
    app.include_router(health_router)
    return app


app = create_app()
