"""Helpers of the template's proofs for a celery project. The project's own
fixtures and its --broker-url option come from its tests/conftest.py, loaded with
``-p tests.conftest``."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from background_tasks_app.config import Settings
from background_tasks_app.main import create_app

from tests.support import FakeQueue, delete_queue

NO_BROKER = (
    "needs a real broker: run pytest with --broker-url redis://... or amqp://..."
)


def app_for_fuzzing() -> FastAPI:
    """The API alone, its task queue replaced: the fuzzer's requests reach no broker."""
    app = create_app()
    app.state.task_queue = FakeQueue()
    return app


REDIS_RESULTS = "redis_results"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{REDIS_RESULTS}: checks the Redis result backend's own behaviour"
    )


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Run tests of the Redis result backend only where results are kept in Redis:
    left out (deselected) elsewhere, where they have nothing to check."""
    if str(config.getoption("result_backend") or "").startswith("redis"):
        return
    left_out = [item for item in items if REDIS_RESULTS in item.keywords]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if REDIS_RESULTS not in item.keywords]


@pytest.fixture
def real_broker(settings: Settings) -> tuple[str, str | None]:
    """The Redis or RabbitMQ the run was given, and its result backend.

    Without one the test is skipped, and fails under CI: a skip would hide it.
    """
    if not settings.broker_url:
        if os.environ.get("CI"):
            pytest.fail(NO_BROKER)
        pytest.skip(NO_BROKER)
    return settings.broker_url, settings.result_backend


@pytest.fixture
def unique_email() -> str:
    """An address no other test uses."""
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


@pytest.fixture
def api_for() -> Iterator[Callable[[Settings], TestClient]]:
    """Give a client of an API created with the given settings."""
    clients: list[TestClient] = []

    def make(settings: Settings) -> TestClient:
        clients.append(TestClient(create_app(settings)))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def http(api: TestClient) -> TestClient:
    """The client the common proofs send their requests with."""
    return api


@pytest.fixture
def scheduled(queue: FakeQueue) -> Callable[[], list[tuple[str, tuple[Any, ...]]]]:
    """What the requests of a common proof have queued so far."""
    return lambda: queue.sent


def settings_from(env: dict[str, str]) -> Settings:
    """The settings a process started with ``env`` reads, for an API in this one."""
    return Settings(
        data_dir=env["APP_DATA_DIR"],
        log_file=env["APP_LOG_FILE"],
        task_queue=env["APP_TASK_QUEUE"],
        broker_url=env.get("CELERY_BROKER_URL"),
        result_backend=env.get("CELERY_RESULT_BACKEND"),
    )


class Workers:
    """Starts ``worker_with_held_task.py`` processes; kills them all at the end."""

    def __init__(self, env: dict[str, str], flag_dir: Path) -> None:
        self.env = env
        self.flag_dir = flag_dir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, hold_point: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("worker_with_held_task.py")),
                hold_point,
                str(self.flag_dir),
            ],
            cwd=self.flag_dir,  # where no .env is
            env=self.env,
            start_new_session=True,  # its pool processes share its process group
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its pool processes: no chance to clean up."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def kill_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill(process)


@pytest.fixture
def real_broker_env(
    real_broker: tuple[str, str | None], tmp_path: Path
) -> Iterator[dict[str, str]]:
    broker_url, result_backend = real_broker
    queue = f"tests-{uuid.uuid4().hex}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "CELERY_"))}
    env.update(
        CELERY_BROKER_URL=broker_url,
        APP_DATA_DIR=str(tmp_path / "data"),
        APP_LOG_FILE=str(tmp_path / "log.txt"),
        APP_TASK_QUEUE=queue,
    )
    if result_backend:
        env["CELERY_RESULT_BACKEND"] = result_backend
    yield env
    delete_queue(broker_url, queue)


@pytest.fixture
def workers(real_broker_env: dict[str, str], tmp_path: Path) -> Iterator[Workers]:
    flag_dir = tmp_path / "flags"
    flag_dir.mkdir()
    started = Workers(real_broker_env, flag_dir)
    yield started
    (flag_dir / "release").touch()
    started.kill_all()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class BrokerProxy:
    """A TCP relay in front of a real broker, which the test can cut, freeze and
    restore.

    While cut, connections to it are refused, as they are by a broker that is down.
    While frozen, connections stay open and what is sent is never delivered, either
    way, as when the broker or the network path to it hangs.
    """

    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 0)
        self.port = free_port()
        self.url = parts._replace(netloc=self._netloc(parts, self.port)).geturl()
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._relaying = threading.Event()
        self._relaying.set()

    @staticmethod
    def _netloc(parts: Any, port: int) -> str:
        credentials = parts.netloc.rpartition("@")[0]
        host = f"127.0.0.1:{port}"
        return f"{credentials}@{host}" if credentials else host

    def restore(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Refuse new connections and drop the open ones."""
        if self._listener is not None:
            _close(self._listener)
            self._listener = None
        for sock in self._open:
            _close(sock)
        self._open.clear()
        # What a freeze held is dropped: its relays now write to closed sockets.
        self._relaying.set()

    def freeze(self) -> None:
        """Keep every connection open, and new ones accepted, but relay nothing more
        until the proxy is cut."""
        self._relaying.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # the listener was closed: the proxy is cut
                return
            upstream = socket.create_connection(self._upstream)
            self._open += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pipe, args=(source, target), daemon=True
                ).start()

    def _pipe(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self._relaying.wait()
                target.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(target)


def _close(sock: socket.socket) -> None:
    """Close a socket for good, waking a thread blocked on it (accept or recv)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
