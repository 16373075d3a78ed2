"""Appending lines to the log file that the background tasks write."""

import contextlib
import os
import sys
import threading
from pathlib import Path

_APPEND_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
# POSIX keeps one write() to a file opened with O_APPEND whole, and one of at most
# PIPE_BUF bytes to a pipe: such lines need no lock. Longer ones take turns, and so
# does every line on Windows, whose C runtime appends with a seek, then a write.
_LONGEST_WHOLE_WRITE = 0 if sys.platform == "win32" else 4096  # POSIX PIPE_BUF
_write_turn = threading.Lock()


def ensure_appendable(path: Path, variable: str) -> Path:
    """Create the folder of ``path`` and check that lines can be appended to it.

    Called at start-up, so that a bad setting stops the process at once instead of
    failing every task later. Returns ``path``. Raises ValueError naming
    ``variable`` (the setting's environment variable) when a folder or a file is in
    the way or the process may not write there.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        problem: str | None = "a file is in the way"
    except OSError as error:
        problem = error.strerror or str(error)
    else:
        problem = _append_problem(path)
    if problem is None:
        return path
    raise ValueError(
        f"{variable}={str(path)!r} cannot be appended to ({problem}): set {variable}"
        " to a file in a folder this process can write"
    )


def _append_problem(path: Path) -> str | None:
    if path.is_dir():
        return "a folder is in the way"
    if path.exists() and not path.is_file():
        # A device or a pipe, such as /dev/stdout: opening one could block.
        return None if os.access(path, os.W_OK) else "Permission denied"
    try:
        path.open("a", encoding="utf-8").close()
    except OSError as error:
        return error.strerror or str(error)
    return None


def _escape(char: str) -> str:
    return char if char.isprintable() else char.encode("unicode_escape").decode("ascii")


def append_line(path: Path, text: str) -> None:
    """Append ``text`` to ``path`` as exactly one line, UTF-8 encoded.

    Control characters and line separators are written as escapes (a newline becomes
    ``\\n``), so no value can ever start a line of its own. The line is one
    ``write()`` to a file opened with ``O_APPEND``: lines that threads or processes
    append to a local file at once never mix (nor do those of one process's threads
    on a pipe, such as /dev/stdout). A missing folder is created. Raises ``OSError``
    when the file cannot be written. Blocking: never call it from the event loop.
    """
    if not text.isprintable():  # the rare value with a control character in it
        text = "".join(_escape(char) for char in text)
    line = (text + "\n").encode("utf-8")
    whole = len(line) <= _LONGEST_WHOLE_WRITE
    with contextlib.nullcontext() if whole else _write_turn:
        try:
            _append(path, line)
        except FileNotFoundError:  # its folder was removed since start-up
            path.parent.mkdir(parents=True, exist_ok=True)
            _append(path, line)


def _append(path: Path, line: bytes) -> None:
    # os.open and os.write, not open(): three system calls instead of eight, each a
    # moment when the event loop can take the GIL back from the task's thread.
    descriptor = os.open(path, _APPEND_FLAGS, 0o666)
    try:
        while line:  # a short write of a regular file is rare, but allowed
            line = line[os.write(descriptor, line) :]
    finally:
        os.close(descriptor)
