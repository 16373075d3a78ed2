"""The notification endpoints: queue a notification, then follow its task."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, status
from pydantic import BaseModel

from . import tasks
from .params import NO_BODY_TAKEN, RecipientEmail, refuse_request_body
from .task_queue import UNAVAILABLE, TaskQueueDep, TaskStatus

router = APIRouter(tags=["notifications"], responses={503: UNAVAILABLE})


class Queued(BaseModel):
    message: str
    task_id: str
    status_url: str


# Both endpoints are plain functions: FastAPI runs them in its thread pool, so waiting
# on the broker never blocks the event loop.
# {email:address} matches the rest of the path, "/" included (see params.py).
@router.post(
    "/send-notification/{email:address}",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(refuse_request_body)],
    responses={415: NO_BODY_TAKEN},
)
def send_notification(
    email: RecipientEmail, queue: TaskQueueDep, request: Request
) -> Queued:
    """Queue a notification for `email`; a worker writes it.

    Answers at once with the task id and the URL that reports the task's state.
    """
    task_id = queue.send(tasks.send_notification, email, "some notification")
    return Queued(
        message="Notification queued",
        task_id=task_id,
        status_url=request.url_for("task_status", task_id=task_id).path,
    )


@router.get("/tasks/{task_id}")
def task_status(
    task_id: Annotated[uuid.UUID, Path(description="The id the task was queued with.")],
    queue: TaskQueueDep,
) -> TaskStatus:
    """Report the state of a task, with its result or the error that stopped it."""
    return queue.status(str(task_id))
