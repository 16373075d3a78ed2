"""The FastAPI application; `fastapi run` serves it (see README.md)."""

from fastapi import FastAPI
from pydantic import BaseModel

from . import __version__
from .config import Settings
from .notifications import router as notifications_router


class Health(BaseModel):
    status: str


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; tests pass their own settings."""
    app = FastAPI(
        title={{ cookiecutter.project_name | python_string }},
        description={{ cookiecutter.description | python_string }},
        version=__version__,
    )
    app.state.settings = settings if settings is not None else Settings()
    app.include_router(notifications_router)

    @app.get("/health", tags=["health"])
    async def health() -> Health:
        """Answer as long as the process serves requests."""
        return Health(status="ok")

    return app


app = create_app()
