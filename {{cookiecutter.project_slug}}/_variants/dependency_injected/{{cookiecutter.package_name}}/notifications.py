"""The notification endpoint: its dependency and the endpoint itself schedule lines."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends
from pydantic import BaseModel

from .config import SettingsDep
from .dependencies import get_query
from .params import RecipientEmail
from .tasks import write_log

router = APIRouter(tags=["notifications"])


class Message(BaseModel):
    message: str


@router.post("/send-notification/{email}")
async def send_notification(
    email: RecipientEmail,
    background_tasks: BackgroundTasks,
    settings: SettingsDep,
    q: Annotated[str | None, Depends(get_query)],
) -> Message:
    """Schedule a line after the query dependency's line and answer at once."""
    background_tasks.add_task(write_log, settings.log_file, f"message to {email}")
    return Message(message="Message sent")
