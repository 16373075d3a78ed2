"""The notification endpoints: queue a notification, then follow its task."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, status
from pydantic import BaseModel

from .params import BODY_REFUSED, NO_BODY_TAKEN, RecipientEmail, carries_body
from .task_queue import BrokerUnavailable, TaskQueueDep, TaskStatus

router = APIRouter(tags=["notifications"])

# How long a client should wait before it tries again after a 503.
RETRY_AFTER_SECONDS = 5
UNAVAILABLE = {"description": "The broker or the result backend is unreachable"}


class Queued(BaseModel):
    message: str
    task_id: str
    status_url: str


def _unavailable() -> HTTPException:
    # The cause, with the broker's address, is in the server log only.
    return HTTPException(
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        detail="The task queue is unreachable, try again later",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def refuse_request_body(request: Request) -> None:
    """Dependency: answer 415 to a request that carries a body, before it is queued."""
    if carries_body(request.headers):
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, BODY_REFUSED)


# Both endpoints are plain functions: FastAPI runs them in its thread pool, so waiting
# on the broker never blocks the event loop.
# {email:address} matches the rest of the path, "/" included (see params.py).
@router.post(
    "/send-notification/{email:address}",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(refuse_request_body)],
    responses={415: NO_BODY_TAKEN, 503: UNAVAILABLE},
)
def send_notification(
    email: RecipientEmail, queue: TaskQueueDep, request: Request
) -> Queued:
    """Queue a notification for `email`; a worker writes it.

    Answers at once with the task id and the URL that reports the task's state.
    """
    try:
        task_id = queue.send_notification(email, "some notification")
    except BrokerUnavailable as error:
        raise _unavailable() from error
    return Queued(
        message="Notification queued",
        task_id=task_id,
        status_url=request.url_for("task_status", task_id=task_id).path,
    )


@router.get(
    "/tasks/{task_id}",
    responses={503: UNAVAILABLE},
)
def task_status(
    task_id: Annotated[uuid.UUID, Path(description="The id `send-notification` gave.")],
    queue: TaskQueueDep,
) -> TaskStatus:
    """Report the state of a task, with its result or the error that stopped it."""
    try:
        return queue.status(str(task_id))
    except BrokerUnavailable as error:
        raise _unavailable() from error
