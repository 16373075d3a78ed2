"""The backlog bound: past it, requests get 503 instead of piling up tasks in memory."""

from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.main import create_app

from tests.support import WriteGate, wait_until

LIMIT = 2


@pytest.fixture
def app(log_file: Path) -> FastAPI:
    return create_app(Settings(log_file=log_file, max_pending_requests=LIMIT))


def pending_requests(client: httpx2.Client | TestClient) -> int:
    response = client.get("/health")
    assert response.status_code == 200
    pending: int = response.json()["pending_requests"]
    return pending


def test_past_the_limit_requests_get_503_until_the_backlog_drains(
    live_client: httpx2.Client,
    write_gate: WriteGate,
    read_log: Callable[[], list[str]],
) -> None:
    for n in range(LIMIT):
        assert live_client.post(f"/send-notification/user{n}@example.com").is_success
    write_gate.wait_until_started()
    assert pending_requests(live_client) == LIMIT

    turned_away = live_client.post("/send-notification/late@example.com")

    assert turned_away.status_code == 503
    assert turned_away.headers["Retry-After"] == "1"
    assert turned_away.json() == {
        "detail": "Too many background tasks are pending, try again later"
    }
    write_gate.release()
    wait_until(lambda: pending_requests(live_client) == 0, "the backlog to drain")
    assert live_client.post("/send-notification/again@example.com").is_success
    wait_until(lambda: len(read_log()) == LIMIT + 1, "the last task to write")
    written = "\n".join(read_log())
    assert "late@example.com" not in written
    for email in ("user0@example.com", "user1@example.com", "again@example.com"):
        assert email in written


def test_a_rejected_request_holds_no_slot(client: TestClient) -> None:
    for _ in range(LIMIT + 1):
        assert client.post("/send-notification/not-an-email").status_code == 422

    assert pending_requests(client) == 0
    assert client.post("/send-notification/ada@example.com").is_success


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ValidationError, match="max_pending_requests"):
        Settings(max_pending_requests=0)
