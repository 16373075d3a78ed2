"""A router of the user's own: a JSON body, a yield dependency, a second task."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel

from . import tasks
from .task_queue import UNAVAILABLE, TaskQueueDep

router = APIRouter(prefix="/reports", tags=["reports"], responses={503: UNAVAILABLE})


class ReportRequest(BaseModel):
    title: str


class ReportQueued(BaseModel):
    task_id: str
    status_url: str
    requested_by: str


def requester(request: Request) -> Iterator[str]:
    """Dependency: who asks, held open until the request is done (as a session)."""
    yield request.headers.get("X-Requester", "anonymous")


@router.post("", status_code=status.HTTP_202_ACCEPTED)
def request_report(
    report: ReportRequest,
    queue: TaskQueueDep,
    request: Request,
    requested_by: Annotated[str, Depends(requester)],
) -> ReportQueued:
    """Queue a report; a worker builds it."""
    task_id = queue.send(tasks.build_report, report.title)
    return ReportQueued(
        task_id=task_id,
        status_url=request.url_for("task_status", task_id=task_id).path,
        requested_by=requested_by,
    )
