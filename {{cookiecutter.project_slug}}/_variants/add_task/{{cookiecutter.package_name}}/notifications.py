"""The notification endpoint: answer at once, write the notification afterwards."""

from fastapi import APIRouter, BackgroundTasks, Depends
from pydantic import BaseModel

from .background import BACKLOG_FULL
from .config import SettingsDep
from .params import NO_BODY_TAKEN, RecipientEmail, refuse_request_body
from .tasks import write_notification

router = APIRouter(tags=["notifications"])


class Message(BaseModel):
    message: str


# {email:address} matches the rest of the path, "/" included (see params.py).
@router.post(
    "/send-notification/{email:address}",
    dependencies=[Depends(refuse_request_body)],
    responses={415: NO_BODY_TAKEN, 503: BACKLOG_FULL},
)
async def send_notification(
    email: RecipientEmail, background_tasks: BackgroundTasks, settings: SettingsDep
) -> Message:
    """Notify `email` in the background.

    Answers at once; the notification is written after the response has been sent.
    """
    background_tasks.add_task(
        write_notification, settings.log_file, email, message="some notification"
    )
    return Message(message="Notification sent in the background")
