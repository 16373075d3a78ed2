"""Serve the app with uvicorn, holding every log write until a file appears.

    python serve_with_held_tasks.py RELEASE_FILE [TIMEOUT_GRACEFUL_SHUTDOWN]

The shutdown tests run it in a process of their own, to send it real signals. It
prints the port it listens on (127.0.0.1, chosen by the system) as its first line. The
app's settings come from the environment, as with ``fastapi run``.
"""

import socket
import sys
import time
from pathlib import Path

import uvicorn

from background_tasks_app import tasks
from background_tasks_app.main import app

WAIT_SECONDS = 5.0


def hold_writes_until(release: Path) -> None:
    """Make every task wait for ``release`` to exist before it writes its line."""
    write = tasks.append_line

    def held_write(path: Path, text: str) -> None:
        deadline = time.monotonic() + 2 * WAIT_SECONDS
        while not release.exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{release} never appeared")
            time.sleep(0.01)
        write(path, text)

    tasks.append_line = held_write


def main(release: Path, timeout_graceful_shutdown: int | None) -> None:
    hold_writes_until(release)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen()  # connections wait in the backlog until uvicorn accepts them
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(
        app, timeout_graceful_shutdown=timeout_graceful_shutdown, lifespan="off"
    )
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else None)
