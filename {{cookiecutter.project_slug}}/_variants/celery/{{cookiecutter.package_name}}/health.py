"""GET /health: whether the process serves requests."""

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


@router.get("/health")
async def health() -> Health:
    """Answer as long as the process serves requests."""
    return Health(status="ok")
