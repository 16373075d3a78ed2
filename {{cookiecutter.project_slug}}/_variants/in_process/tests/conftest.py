import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.main import create_app

from tests.server_log import server_log as server_log

# Upper bound for anything a test waits on: reaching it means the test failed.
WAIT_SECONDS = 5.0


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    return tmp_path / "log.txt"


@pytest.fixture
def read_log(log_file: Path) -> Callable[[], list[str]]:
    """Return a function that reads the lines the tasks have written so far."""
    return lambda: log_file.read_text("utf-8").splitlines() if log_file.exists() else []


@pytest.fixture
def app(log_file: Path) -> FastAPI:
    return create_app(Settings(log_file=log_file))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client whose calls return once the request's background tasks have run."""
    with TestClient(app) as test_client:
        yield test_client


class _Server(uvicorn.Server):
    """A uvicorn server that signals once it accepts connections."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


@pytest.fixture
def live_client(app: FastAPI) -> Iterator[httpx2.Client]:
    """A client of the app served by a real uvicorn on 127.0.0.1 and a free port.

    Unlike TestClient, a real server sends the response before the background tasks
    run, so a test can show that the client does not wait for them.
    """
    sock = socket.create_server(("127.0.0.1", 0))
    server = _Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]})
    thread.start()
    try:
        assert server.ready.wait(WAIT_SECONDS), "uvicorn did not start"
        port = sock.getsockname()[1]
        with httpx2.Client(base_url=f"http://127.0.0.1:{port}") as live:
            yield live
    finally:
        server.should_exit = True
        thread.join(WAIT_SECONDS)
        sock.close()
    assert not thread.is_alive(), "uvicorn did not stop"
