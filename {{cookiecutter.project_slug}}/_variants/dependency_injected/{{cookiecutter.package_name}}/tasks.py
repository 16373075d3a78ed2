"""The work that runs after the response has been sent."""

from pathlib import Path

from .background import log_failures
from .log_file import append_line


@log_failures
def write_log(log_file: Path, message: str) -> None:
    """Append ``message`` to the log file as one line."""
    append_line(log_file, message)
