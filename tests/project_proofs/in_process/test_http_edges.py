"""What the HTTP layer refuses on a real uvicorn, and the empty body it accepts:
nothing refused schedules any work."""

import re
import socket
from collections.abc import Callable

import httpx2
import pytest
from conftest import WAIT_SECONDS, wait_until
from fastapi.testclient import TestClient


def test_an_empty_body_with_a_content_type_is_accepted(
    client: TestClient, read_log: Callable[[], list[str]]
) -> None:
    response = client.post(
        "/send-notification/ada@example.com",
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 200
    assert len(read_log()) == 1


def send_raw(live_client: httpx2.Client, request: bytes) -> bytes:
    """Send bytes that no HTTP client library would; return the raw answer."""
    url = live_client.base_url
    assert url.host
    assert url.port
    with socket.create_connection((url.host, url.port), WAIT_SECONDS) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"NOT AN HTTP REQUEST\r\n\r\n",
        b"POST /send-notification/eve@example.com HTTP/9.9\r\nHost: x\r\n\r\n",
        b"POST /send-notification/eve@example.com HTTP/1.1\r\n"
        b"Host: x\r\nContent-Length: -1\r\n\r\n",
    ],
    ids=["garbage", "unknown-version", "negative-length"],
)
def test_unparseable_http_gets_400_and_the_server_keeps_serving(
    live_client: httpx2.Client,
    read_log: Callable[[], list[str]],
    request_bytes: bytes,
) -> None:
    answer = send_raw(live_client, request_bytes)

    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert answer.endswith(b"Invalid HTTP request received.")
    assert_only_a_valid_request_writes(live_client, read_log)


def test_a_broken_chunked_body_is_refused_and_schedules_nothing(
    live_client: httpx2.Client, read_log: Callable[[], list[str]]
) -> None:
    answer = send_raw(
        live_client,
        b"POST /send-notification/eve@example.com HTTP/1.1\r\n"
        b"Host: x\r\nTransfer-Encoding: chunked\r\n\r\nnot a chunk\r\n\r\n",
    )

    # The server's parser (400) or the endpoint's refusal of bodies (415) answers
    # first, depending on whether the body arrived with the headers.
    assert re.match(rb"HTTP/1\.1 (400|415) ", answer), answer[:100]
    assert_only_a_valid_request_writes(live_client, read_log)


def assert_only_a_valid_request_writes(
    live_client: httpx2.Client, read_log: Callable[[], list[str]]
) -> None:
    """The server still serves, and the refused request scheduled nothing."""
    assert live_client.post("/send-notification/ada@example.com").status_code == 200
    wait_until(lambda: "ada@example.com" in "".join(read_log()), "the valid line")
    assert "eve@example.com" not in "".join(read_log())
