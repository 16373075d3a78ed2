"""Helpers for the tests: polling with a deadline, brokers that come and go."""

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from kombu import Connection, Exchange, Queue

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.task_queue import (
    BrokerUnavailable,
    TaskQueue,
    TaskStatus,
    get_task_queue,
)

# Upper bound for anything a test waits on: reaching it means the test failed.
WAIT_SECONDS = 15.0
FINAL_STATES = {"SUCCESS", "FAILURE"}

NO_BROKER_REASON = (
    "needs a real broker: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0 or"
    " CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5672// (and optionally"
    " CELERY_RESULT_BACKEND=redis://127.0.0.1:6379/1)"
)


def configured_broker_url() -> str:
    """The Redis or RabbitMQ URL the tests were given; without one, skip the test.

    Under CI the missing broker fails the test instead: a skip would hide that the
    real-broker tests never ran.
    """
    url = os.environ.get("CELERY_BROKER_URL", "")
    if url.startswith(("redis://", "rediss://", "amqp://", "amqps://", "pyamqp://")):
        return url
    if os.environ.get("CI"):
        pytest.fail(NO_BROKER_REASON)
    pytest.skip(NO_BROKER_REASON)


def delete_queue(broker_url: str, name: str) -> None:
    """Remove a test's queue, as Celery declared it, and its exchange from a broker.

    Declared again first, so that kombu knows the binding it has to remove.
    """
    queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
    with Connection(broker_url) as connection:
        bound = queue(connection.default_channel)
        bound.declare()
        bound.delete()
        bound.exchange.delete()


TASK_ID = "6f1c8e4e-5a3b-4c1d-9e2f-0a1b2c3d4e5f"


class FakeQueue(TaskQueue):
    """Records what it is sent; reports the statuses it is given, else PENDING."""

    def __init__(self, statuses: dict[str, TaskStatus] | None = None) -> None:
        self.sent: list[tuple[str, str]] = []
        self.statuses = statuses or {}
        self.unreachable = False

    def send_notification(self, email: str, message: str) -> str:
        if self.unreachable:
            raise BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379")
        self.sent.append((email, message))
        return TASK_ID

    def status(self, task_id: str) -> TaskStatus:
        if self.unreachable:
            raise BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379")
        return self.statuses.get(task_id, TaskStatus(task_id=task_id, state="PENDING"))


def app_for_fuzzing() -> FastAPI:
    """The API alone, its task queue replaced: the fuzzer's requests reach no broker."""
    app = create_app()
    app.dependency_overrides[get_task_queue] = FakeQueue
    return app


def settings_from(env: dict[str, str]) -> Settings:
    """The settings a process started with ``env`` reads, for an API in this one."""
    return Settings(
        data_dir=env["APP_DATA_DIR"],
        log_file=env["APP_LOG_FILE"],
        task_queue=env["APP_TASK_QUEUE"],
        broker_url=env.get("CELERY_BROKER_URL"),
        result_backend=env.get("CELERY_RESULT_BACKEND"),
    )


def wait_until(condition: Callable[[], Any], what: str) -> Any:
    """Poll ``condition`` until it returns something true; fail at the deadline."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)
    return value


def wait_for_final_state(client: TestClient, status_url: str) -> dict[str, Any]:
    """Poll the task's status URL until it reports SUCCESS or FAILURE."""

    def final_status() -> dict[str, Any] | None:
        response = client.get(status_url)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body if body["state"] in FINAL_STATES else None

    result: dict[str, Any] = wait_until(final_status, f"{status_url} to finish")
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class BrokerProxy:
    """A TCP relay in front of a real broker, which the test can cut and restore.

    While cut, connections to it are refused, as they are by a broker that is down.
    """

    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 0)
        self.port = free_port()
        self.url = parts._replace(netloc=self._netloc(parts, self.port)).geturl()
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []

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

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
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
