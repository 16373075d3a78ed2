"""Appending lines to the log file that the background tasks write."""

import threading
from pathlib import Path

_write_lock = threading.Lock()


def _escape(char: str) -> str:
    return char if char.isprintable() else char.encode("unicode_escape").decode("ascii")


def append_line(path: Path, text: str) -> None:
    """Append ``text`` to ``path`` as exactly one line.

    Control characters and line separators are written as escapes (a newline becomes
    ``\\n``), so no value can ever start a line of its own. Blocking: never call it
    from the event loop.
    """
    line = "".join(_escape(char) for char in text) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with _write_lock, path.open("a", encoding="utf-8") as log:
        log.write(line)
