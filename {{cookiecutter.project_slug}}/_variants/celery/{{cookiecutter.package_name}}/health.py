"""GET /health, whether the process is alive, and GET /health/ready, whether it can
queue work and report on it."""

import asyncio
from typing import Literal

from fastapi import APIRouter, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from .task_queue import RETRY_AFTER_SECONDS, TaskQueueDep

router = APIRouter(prefix="/health", tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready", "unavailable"]
    broker: str
    """``ok``, or why the broker could not be reached."""
    result_backend: str
    """``ok``, or why the result backend could not be reached."""


@router.get("")
async def health() -> Health:
    """Answer as long as the process serves requests: a liveness check. It does not
    look at the broker: restarting the API would not bring the broker back."""
    return Health(status="ok")


@router.get(
    "/ready",
    responses={
        503: {
            "model": Readiness,
            "description": "The broker or the result backend is unreachable",
        }
    },
)
async def ready(queue: TaskQueueDep, response: Response) -> Readiness:
    """Whether the broker and the result backend answer within ``APP_BROKER_TIMEOUT``
    seconds each (both are tried at once): 200, or 503 with ``Retry-After`` and the
    reason."""
    broker, result_backend = await asyncio.gather(
        run_in_threadpool(queue.broker_problem),
        run_in_threadpool(queue.result_backend_problem),
    )
    readiness = Readiness(
        status="unavailable" if broker or result_backend else "ready",
        broker=broker or "ok",
        result_backend=result_backend or "ok",
    )
    if readiness.status == "unavailable":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return readiness
