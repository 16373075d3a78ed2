"""Requests no client should send: each gets a 4xx whose JSON body says what is
wrong, and schedules nothing. ``http`` and ``scheduled`` come from the proofs'
conftest of each kind of project."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

SEND = "/send-notification"
OVERSIZED = "a" * 60_000


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        pytest.param("POST", f"{SEND}/", 422, id="no-email"),
        pytest.param("POST", f"{SEND}/ada@example.com/extra", 422, id="extra-segment"),
        pytest.param("POST", f"{SEND}/%FF%FE", 422, id="not-utf-8"),
        pytest.param("POST", f"{SEND}/ada%00@example.com", 422, id="nul-byte"),
        pytest.param("POST", f"{SEND}/ada@exa%0Ample.com", 422, id="line-feed"),
        pytest.param("POST", f"{SEND}/ada@example.com%0D", 422, id="carriage-return"),
        pytest.param(
            "POST", f"{SEND}/{OVERSIZED}@example.com", 422, id="oversized-email"
        ),
        pytest.param("GET", f"{SEND}/ada@example.com", 405, id="get-instead-of-post"),
        pytest.param("DELETE", f"{SEND}/ada@example.com", 405, id="delete"),
        pytest.param("PATCH", "/health", 405, id="patch-health"),
    ],
)
def test_a_malformed_request_gets_a_4xx_that_says_why_and_schedules_nothing(
    http: TestClient,
    scheduled: Callable[[], list[object]],
    method: str,
    url: str,
    status: int,
) -> None:
    response = http.request(method, url)

    assert response.status_code == status
    assert response.json()["detail"]
    assert scheduled() == []


# The endpoint takes no body: one is refused with 415, whatever its type.
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        pytest.param("application/json", b'{"email": "eve@example.com"}', id="json"),
        pytest.param("application/xml", b"<email>eve@example.com</email>", id="xml"),
        pytest.param("application/x-www-form-urlencoded", b"email=eve", id="form"),
        pytest.param("application/json", b"\xff\xfe not json", id="invalid-bytes"),
    ],
)
def test_a_request_body_is_refused_and_nothing_is_scheduled(
    http: TestClient,
    scheduled: Callable[[], list[object]],
    content_type: str,
    body: bytes,
) -> None:
    response = http.post(
        "/send-notification/ada@example.com",
        content=body,
        headers={"Content-Type": content_type},
    )

    assert response.status_code == 415
    assert response.json()["detail"].startswith("This endpoint takes no request body")
    assert scheduled() == []
