"""The notification endpoint: answer at once, write the notification afterwards."""

from fastapi import APIRouter, BackgroundTasks
from pydantic import BaseModel

from .config import SettingsDep
from .params import RecipientEmail
from .tasks import write_notification

router = APIRouter(tags=["notifications"])


class Message(BaseModel):
    message: str


@router.post("/send-notification/{email}")
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
