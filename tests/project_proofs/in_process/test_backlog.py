"""The backlog bound on a real uvicorn: past it, requests get 503 until the tasks
already accepted have run; each of those still writes its line."""

from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest
from conftest import WriteGate, wait_until
from fastapi import FastAPI

from background_tasks_app.config import Settings
from background_tasks_app.main import create_app

LIMIT = 2


@pytest.fixture
def app(log_file: Path) -> FastAPI:
    """The app, with a bound low enough to reach; served by the live_client fixture."""
    return create_app(Settings(log_file=log_file, max_pending_requests=LIMIT))


def test_past_the_limit_requests_get_503_until_the_backlog_drains(
    live_client: httpx2.Client,
    write_gate: WriteGate,
    read_log: Callable[[], list[str]],
) -> None:
    for n in range(LIMIT):
        assert live_client.post(f"/send-notification/user{n}@example.com").is_success
    write_gate.wait_until_started()
    ready = live_client.get("/health/ready")
    assert (ready.status_code, ready.json()["pending_requests"]) == (503, LIMIT)
    assert live_client.get("/health").status_code == 200  # alive all the same

    turned_away = live_client.post("/send-notification/late@example.com")

    assert turned_away.status_code == 503
    assert turned_away.headers["Retry-After"] == "1"
    write_gate.release()
    wait_until(
        lambda: live_client.get("/health/ready").status_code == 200,
        "the backlog to drain",
    )
    assert live_client.post("/send-notification/again@example.com").is_success
    wait_until(lambda: "again@example.com" in "".join(read_log()), "the last line")
    written = "\n".join(read_log())
    assert "late@example.com" not in written
    for email in ("user0@example.com", "user1@example.com", "again@example.com"):
        assert email in written
