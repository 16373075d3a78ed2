"""Appending lines to the log file that the background tasks write."""

import threading
from pathlib import Path

from pydantic import AfterValidator

_write_lock = threading.Lock()


def appendable_file(variable: str) -> AfterValidator:
    """A pydantic validator for a setting that names a file to append lines to.

    When the settings are read (at start-up) it creates the file's folder and opens
    the file for appending once. A folder where the file should be, a file where a
    folder should be, or a folder this process cannot write then raises ValueError
    naming ``variable`` (pydantic turns it into a ValidationError), so the app or the
    worker stops at once instead of every task failing later.
    """

    def check(path: Path) -> Path:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.open("a", encoding="utf-8").close()
        except OSError as error:
            raise ValueError(
                f"{variable}={str(path)!r} cannot be appended to ({error.strerror}):"
                f" set {variable} to a file in a folder this process can write"
            ) from None
        return path

    return AfterValidator(check)


def _escape(char: str) -> str:
    return char if char.isprintable() else char.encode("unicode_escape").decode("ascii")


def append_line(path: Path, text: str) -> None:
    """Append ``text`` to ``path`` as exactly one line.

    Control characters and line separators are written as escapes (a newline becomes
    ``\\n``), so no value can ever start a line of its own. The folder must exist
    (``appendable_file`` creates it when the settings are read). Blocking: never call
    it from the event loop.
    """
    line = "".join(_escape(char) for char in text) + "\n"
    with _write_lock, path.open("a", encoding="utf-8") as log:
        log.write(line)
