import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }} import tasks
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.log_file import append_line
from {{ cookiecutter.package_name }}.main import create_app

from tests.support import WAIT_SECONDS, WriteGate


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    return tmp_path / "log.txt"


@pytest.fixture
def read_log(log_file: Path) -> Callable[[], list[str]]:
    """Return a function that reads the lines the tasks have written so far."""

    def read() -> list[str]:
        if not log_file.exists():
            return []
        return log_file.read_text(encoding="utf-8").splitlines()

    return read


@pytest.fixture
def app(log_file: Path) -> FastAPI:
    return create_app(Settings(log_file=log_file))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client whose calls return once the request's background tasks have run."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def write_gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[WriteGate]:
    """Make the tasks slow: each write waits until the test releases the gate."""
    gate = WriteGate()
    monkeypatch.setattr(tasks, "append_line", gate.write)
    yield gate
    gate.release()


@pytest.fixture
def first_write_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the first log write raise OSError, as a full disk would; later ones work."""
    failed = threading.Event()

    def write(path: Path, text: str) -> None:
        if not failed.is_set():
            failed.set()
            raise OSError("No space left on device")
        append_line(path, text)

    monkeypatch.setattr(tasks, "append_line", write)


class _ReadyServer(uvicorn.Server):
    """A uvicorn server that signals once it accepts connections."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


@pytest.fixture
def live_client(app: FastAPI) -> Iterator[httpx2.Client]:
    """Serve the app with a real uvicorn on 127.0.0.1 and a free port; yield a client.

    Unlike TestClient, a real server sends the response before the background tasks
    run, so a test can show that the client does not wait for them.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()
    server = _ReadyServer(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]})
    thread.start()
    try:
        assert server.ready.wait(WAIT_SECONDS), "uvicorn did not start"
        with httpx2.Client(
            base_url=f"http://{host}:{port}", timeout=WAIT_SECONDS
        ) as live:
            yield live
    finally:
        server.should_exit = True
        thread.join(WAIT_SECONDS)
        sock.close()
    assert not thread.is_alive(), "uvicorn did not stop"
