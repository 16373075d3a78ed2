"""What SIGTERM does to tasks still pending: uvicorn, in a process of its own."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest
from conftest import WAIT_SECONDS

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="sends POSIX signals to a server process"
)

REQUESTS = 3
SERVER = str(Path(__file__).with_name("serve_with_held_tasks.py"))


class HeldServer:
    """A uvicorn process whose tasks write only once ``release()`` is called."""

    def __init__(self, tmp_path: Path, log_file: Path, *options: str) -> None:
        self.release_file = tmp_path / "release"
        self.output = tmp_path / "server.log"
        with self.output.open("w") as output:
            self.process = subprocess.Popen(
                [sys.executable, SERVER, str(self.release_file), *options],
                cwd=tmp_path,  # where no .env is
                env={**os.environ, "APP_LOG_FILE": str(log_file)},
                stdout=subprocess.PIPE,
                stderr=output,
                text=True,
            )
        assert self.process.stdout is not None
        port = self.process.stdout.readline().strip()
        assert port, f"the server did not start: {self.output.read_text()}"
        self.client = httpx2.Client(
            base_url=f"http://127.0.0.1:{port}", timeout=WAIT_SECONDS
        )

    def wait_for_output(self, text: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while text not in self.output.read_text():
            assert time.monotonic() < deadline, f"the server never logged {text!r}"
            assert self.process.poll() is None, self.output.read_text()
            time.sleep(0.01)

    def release(self) -> None:
        self.release_file.touch()

    def wait_for_exit(self) -> int:
        return self.process.wait(timeout=3 * WAIT_SECONDS)

    def close(self) -> None:
        self.client.close()
        self.release()
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate(timeout=WAIT_SECONDS)


@pytest.fixture
def start_server(tmp_path: Path, log_file: Path) -> Iterator[Callable[..., HeldServer]]:
    servers: list[HeldServer] = []

    def start(*options: str) -> HeldServer:
        servers.append(HeldServer(tmp_path, log_file, *options))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def send_requests(server: HeldServer) -> list[str]:
    """Send ``REQUESTS`` notifications; return the addresses, once all are pending."""
    emails = [f"user{n}@example.com" for n in range(REQUESTS)]
    for email in emails:
        response = server.client.post(f"/send-notification/{email}")
        assert response.status_code == 200
    assert server.client.get("/health/ready").json()["pending_requests"] == REQUESTS
    return emails


def test_sigterm_waits_for_pending_tasks_before_exiting(
    start_server: Callable[..., HeldServer], read_log: Callable[[], list[str]]
) -> None:
    server = start_server()
    emails = send_requests(server)

    server.process.send_signal(signal.SIGTERM)
    server.wait_for_output("Waiting for background tasks to complete")

    assert server.process.poll() is None
    assert read_log() == []
    server.release()
    # Once done, uvicorn re-raises the signal it caught, as a server should.
    assert server.wait_for_exit() == -signal.SIGTERM
    lines = read_log()
    assert len(lines) == REQUESTS
    assert all(any(email in line for line in lines) for email in emails)


def test_a_graceful_shutdown_timeout_gives_up_the_tasks_still_pending(
    start_server: Callable[..., HeldServer], read_log: Callable[[], list[str]]
) -> None:
    server = start_server("1")
    send_requests(server)

    server.process.send_signal(signal.SIGTERM)
    server.wait_for_output("timeout graceful shutdown exceeded")
    server.wait_for_exit()

    # What --timeout-graceful-shutdown trades away: the process exits in bounded
    # time, and the tasks still waiting are lost.
    server.release()
    assert read_log() == []
