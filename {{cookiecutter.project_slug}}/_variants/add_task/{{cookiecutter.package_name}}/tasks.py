"""The work that runs after the response has been sent."""

from pathlib import Path

from .background import log_failures
from .log_file import append_line


@log_failures
def write_notification(log_file: Path, email: str, message: str) -> None:
    """Record a notification for ``email``; this stands in for sending an email."""
    append_line(log_file, f"notification for {email}: {message}")
