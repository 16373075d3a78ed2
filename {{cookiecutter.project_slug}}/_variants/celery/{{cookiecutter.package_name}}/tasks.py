"""The work the worker runs: Celery tasks, each a function the API sends by name."""

import uuid
from pathlib import Path

from celery import Task

from .config import MAX_RETRIES, RETRY_BACKOFF_MAX
from .log_file import append_line
from .worker import celery_app, settings

# Errors worth a retry: the cause may be gone a moment later (a mail server that did
# not answer, a network blip). Any other error fails the task at once.
TRANSIENT_ERRORS = (ConnectionError, TimeoutError)


def write_notification(
    log_file: Path, sent_dir: Path, notification_id: str, email: str, message: str
) -> str:
    """Record a notification for ``email``, once per ``notification_id``; return its line.

    This stands in for sending an email. A broker may deliver a message twice (when a
    worker dies before acknowledging it); the id's record in ``sent_dir`` turns the
    second delivery into a no-op. Raises ValueError if ``notification_id`` is not a
    UUID, and OSError if the log file cannot be written.
    """
    record = sent_dir / str(uuid.UUID(notification_id))
    line = f"notification for {email}: {message}"
    if record.exists():
        return line
    append_line(log_file, line)
    try:
        record.touch()
    except FileNotFoundError:  # the folder, made at the worker's start, was removed
        sent_dir.mkdir(parents=True, exist_ok=True)
        record.touch()
    return line


@celery_app.task(
    bind=True,
    name="notifications.send",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,  # wait below 1 s, 2 s, 4 s... between tries
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,  # tasks that failed together do not retry together
    max_retries=MAX_RETRIES,
)
def send_notification(self: Task, email: str, message: str) -> str:
    """Write the notification for ``email``; its line is the task's result."""
    return write_notification(
        settings.log_file, settings.data_dir / "sent", self.request.id, email, message
    )
