"""Requests no client should send: each gets a 4xx whose JSON body says what is
wrong, and schedules nothing."""

import pytest

SEND = "/send-notification"
OVERSIZED = "a" * 60_000

MALFORMED_REQUESTS = [
    pytest.param("POST", f"{SEND}/", 422, id="no-email"),
    pytest.param("POST", f"{SEND}/ada@example.com/extra", 422, id="extra-segment"),
    pytest.param("POST", f"{SEND}/%FF%FE", 422, id="not-utf-8"),
    pytest.param("POST", f"{SEND}/ada%00@example.com", 422, id="nul-byte"),
    pytest.param("POST", f"{SEND}/ada@exa%0Ample.com", 422, id="line-feed"),
    pytest.param("POST", f"{SEND}/ada@example.com%0D", 422, id="carriage-return"),
    pytest.param("POST", f"{SEND}/{OVERSIZED}@example.com", 422, id="oversized-email"),
    pytest.param("GET", f"{SEND}/ada@example.com", 405, id="get-instead-of-post"),
    pytest.param("DELETE", f"{SEND}/ada@example.com", 405, id="delete"),
    pytest.param("PATCH", "/health", 405, id="patch-health"),
]

# The endpoint takes no body: one is refused with 415, whatever its type.
UNEXPECTED_BODIES = [
    pytest.param("application/json", b'{"email": "eve@example.com"}', id="json"),
    pytest.param("application/xml", b"<email>eve@example.com</email>", id="xml"),
    pytest.param("application/x-www-form-urlencoded", b"email=eve", id="form"),
    pytest.param("application/json", b"\xff\xfe not json", id="invalid-bytes"),
]
