"""GET /health, whether the process is alive, and GET /health/ready, whether it takes
work."""

from typing import Literal

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from .background import RETRY_AFTER_SECONDS

router = APIRouter(prefix="/health", tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready", "unavailable"]
    pending_requests: int
    """Requests being handled, or whose background tasks have not finished."""
    max_pending_requests: int
    """The bound (``APP_MAX_PENDING_REQUESTS``): at it, requests that could schedule
    work get 503."""


@router.get("")
async def health() -> Health:
    """Answer as long as the process serves requests: a liveness check."""
    return Health(status="ok")


@router.get(
    "/ready",
    responses={
        503: {"model": Readiness, "description": "The backlog is full: try later"}
    },
)
async def ready(request: Request, response: Response) -> Readiness:
    """Whether a request that schedules work would be taken now: 200 while the
    backlog is below its bound, 503 with ``Retry-After`` once it is full."""
    backlog = request.app.state.backlog
    readiness = Readiness(
        status="ready" if backlog.pending < backlog.limit else "unavailable",
        pending_requests=backlog.pending,
        max_pending_requests=backlog.limit,
    )
    if readiness.status == "unavailable":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return readiness
