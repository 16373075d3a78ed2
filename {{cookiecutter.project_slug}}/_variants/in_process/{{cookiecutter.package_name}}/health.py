"""GET /health: whether the process serves requests, and its backlog."""

from fastapi import APIRouter, Request
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    pending_requests: int
    """Requests being handled, or whose background tasks have not finished."""


@router.get("/health")
async def health(request: Request) -> Health:
    """Answer as long as the process serves requests, with its backlog."""
    return Health(status="ok", pending_requests=request.app.state.backlog.pending)
