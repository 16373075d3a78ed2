"""The work itself, as plain functions: the Celery task in worker.py calls them."""

import uuid
from pathlib import Path

from .log_file import append_line

# Errors worth a retry: the cause may be gone a moment later (a mail server that did
# not answer, a network blip). Any other error fails the task at once.
TRANSIENT_ERRORS = (ConnectionError, TimeoutError)


def write_notification(
    log_file: Path, sent_dir: Path, notification_id: str, email: str, message: str
) -> str:
    """Record a notification for ``email``, once per ``notification_id``; return its line.

    This stands in for sending an email. A broker may deliver a message twice (when a
    worker dies before acknowledging it); the id's record in ``sent_dir`` turns the
    second delivery into a no-op.
    """
    record = sent_dir / str(uuid.UUID(notification_id))
    line = f"notification for {email}: {message}"
    if record.exists():
        return line
    append_line(log_file, line)
    sent_dir.mkdir(parents=True, exist_ok=True)
    record.touch()
    return line
