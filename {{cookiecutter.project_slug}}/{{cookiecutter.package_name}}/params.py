"""Request parameters, validated before any work is scheduled."""

from typing import Annotated

from fastapi import Path
from pydantic import EmailStr

RecipientEmail = Annotated[
    EmailStr,
    Path(description="Who the notification is for.", examples=["ada@example.com"]),
]
