{%- set client = "api" if cookiecutter.task_pattern == "celery" else "client" -%}
"""The request id: the client's X-Request-ID when it is valid, a new one otherwise,
returned in the response's X-Request-ID."""

import uuid

import pytest
from fastapi.testclient import TestClient

REQUEST_ID = "4f9e6a1c2b3d4e5f8a9b0c1d2e3f4a5b"


@pytest.mark.parametrize("request_id", [REQUEST_ID, str(uuid.UUID(REQUEST_ID))])
def test_a_valid_request_id_is_taken_and_returned(
    {{ client }}: TestClient, request_id: str
) -> None:
    response = {{ client }}.get("/health", headers={"X-Request-ID": request_id})

    assert response.headers["X-Request-ID"] == request_id


@pytest.mark.parametrize(
    "sent",
    [
        None,
        "",
        "order-7",
        "4f9e6a1c' OR 1=1",
        f"urn:uuid:{uuid.UUID(REQUEST_ID)}",
        "{" + str(uuid.UUID(REQUEST_ID)) + "}",
        "-" * 8000 + REQUEST_ID,
    ],
)
def test_without_a_valid_request_id_each_request_gets_a_new_one(
    {{ client }}: TestClient, sent: str | None
) -> None:
    headers = {} if sent is None else {"X-Request-ID": sent}

    returned = [
        {{ client }}.get("/health", headers=headers).headers["X-Request-ID"] for _ in range(2)
    ]

    assert all(uuid.UUID(request_id).version == 4 for request_id in returned)
    assert returned[0] != returned[1]


def test_a_500_carries_the_request_id_too({{ client }}: TestClient) -> None:
    @{{ client }}.app.get("/broken")
    async def broken() -> None:
        raise RuntimeError("a bug")

    with TestClient({{ client }}.app, raise_server_exceptions=False) as client_of_500s:
        response = client_of_500s.get("/broken", headers={"X-Request-ID": REQUEST_ID})

    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == REQUEST_ID
