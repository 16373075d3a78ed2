"""The FastAPI application; `fastapi run` serves it (see README.md)."""

from fastapi import FastAPI
from pydantic import BaseModel

from . import __version__
{%- if cookiecutter.task_pattern != "celery" %}
from .background import Backlog
{%- endif %}
from .config import Settings
from .notifications import router as notifications_router


class Health(BaseModel):
    status: str
{%- if cookiecutter.task_pattern != "celery" %}
    pending_requests: int
    """Requests whose background tasks have not finished yet."""
{%- endif %}


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; tests pass their own settings."""
    app = FastAPI(
        title={{ cookiecutter.project_name | python_string }},
        description={{ cookiecutter.description | python_string }},
        version=__version__,
    )
    app.state.settings = settings if settings is not None else Settings()
{%- if cookiecutter.task_pattern != "celery" %}
    app.state.backlog = Backlog(app.state.settings.max_pending_requests)
{%- endif %}
    app.include_router(notifications_router)

    @app.get("/health", tags=["health"])
    async def health() -> Health:
{%- if cookiecutter.task_pattern != "celery" %}
        """Answer as long as the process serves requests, with its backlog."""
        return Health(status="ok", pending_requests=app.state.backlog.pending)
{%- else %}
        """Answer as long as the process serves requests."""
        return Health(status="ok")
{%- endif %}

    return app


app = create_app()
