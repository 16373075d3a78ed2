"""The notification endpoint: its query dependency and the endpoint schedule lines."""

from fastapi import APIRouter, BackgroundTasks, Depends
from pydantic import BaseModel

from .background import BACKLOG_FULL
from .config import SettingsDep
from .dependencies import get_query
from .params import NO_BODY_TAKEN, RecipientEmail, refuse_request_body
from .tasks import write_log

router = APIRouter(tags=["notifications"])


class Message(BaseModel):
    message: str


# {email:address} matches the rest of the path, "/" included (see params.py).
@router.post(
    "/send-notification/{email:address}",
    dependencies=[Depends(refuse_request_body), Depends(get_query)],
    responses={415: NO_BODY_TAKEN, 503: BACKLOG_FULL},
)
async def send_notification(
    email: RecipientEmail, background_tasks: BackgroundTasks, settings: SettingsDep
) -> Message:
    """Log a message to `email`, after the query when `q` is given.

    Answers at once; the lines are written after the response has been sent.
    """
    background_tasks.add_task(write_log, settings.log_file, f"message to {email}")
    return Message(message="Message sent")
