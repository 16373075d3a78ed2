"""What the server logs: time, level, logger, request id and message, as text or JSON
lines, at the level set, with no email address in it."""

import json
import logging
import logging.config
import re
from collections.abc import Iterator

import pytest
import uvicorn.config
from asgi_correlation_id import correlation_id

from tests.server_log import ServerLog

REQUEST_ID = "4f9e6a1c2b3d4e5f8a9b0c1d2e3f4a5b"
TEXT_LINE = re.compile(
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?P<level>[A-Z]+) (?P<logger>\S+)"
    r" \[(?P<request_id>[^\]]+)\] (?P<message>.*)"
)
logger = logging.getLogger("tests.orders")


@pytest.fixture
def in_a_request() -> Iterator[None]:
    """The request id set, as the middleware sets it while it serves a request."""
    token = correlation_id.set(REQUEST_ID)
    yield
    correlation_id.reset(token)


def test_a_record_is_a_line_with_time_level_logger_request_id_and_message(
    server_log: ServerLog, in_a_request: None
) -> None:
    logger.warning("order %d shipped", 7)

    [line] = server_log.lines()
    assert (match := TEXT_LINE.fullmatch(line)), line
    assert match.groupdict() == {
        "level": "WARNING",
        "logger": "tests.orders",
        "request_id": REQUEST_ID,
        "message": "order 7 shipped",
    }


def test_a_record_outside_any_request_has_a_dash_for_its_request_id(
    server_log: ServerLog,
) -> None:
    logger.info("started")

    [line] = server_log.lines()
    assert (match := TEXT_LINE.fullmatch(line)), line
    assert match["request_id"] == "-"


def test_with_json_each_record_is_one_json_object_on_one_line(
    server_log: ServerLog, in_a_request: None
) -> None:
    server_log.configure("INFO", "json")
    try:
        raise ValueError("no mailbox")
    except ValueError:
        logger.exception("order %d failed", 7)

    [line] = server_log.lines()
    record = json.loads(line)
    assert record.pop("time").startswith("20")
    assert record.pop("exc_info").endswith("ValueError: no mailbox")
    assert record == {
        "level": "ERROR",
        "logger": "tests.orders",
        "request_id": REQUEST_ID,
        "message": "order 7 failed",
    }


def test_records_below_the_level_are_dropped_uvicorns_too(
    server_log: ServerLog,
) -> None:
    # As a server starts: uvicorn sets up its loggers, then the app sets up its own.
    logging.config.dictConfig(uvicorn.config.LOGGING_CONFIG)
    server_log.configure("WARNING", "text")

    logging.getLogger("uvicorn.access").info('127.0.0.1:5000 - "GET / HTTP/1.1" 200')
    logger.info("order 7 shipped")
    logging.getLogger("uvicorn.error").warning("Invalid HTTP request received.")

    [line] = server_log.lines()
    assert (match := TEXT_LINE.fullmatch(line)), line
    assert match["logger"] == "uvicorn.error"


@pytest.mark.parametrize(
    ("message", "logged"),
    [
        ("for ada@example.com", "for ***@example.com"),
        # uvicorn's access log, which quotes the @ of a path.
        (
            '"POST /send-notification/ada.l%2Bq%40example.com HTTP/1.1" 202',
            '"POST /send-notification/***%40example.com HTTP/1.1" 202',
        ),
        ("args=('zoë+tag@exämple.co.uk',)", "args=('***@exämple.co.uk',)"),
        # A domain outside ASCII, quoted, and an address refused for its domain.
        ("/n/ada%40ex%C3%A4mple.com HTTP/1.1", "/n/***%40ex%C3%A4mple.com HTTP/1.1"),
        ("/n/ada%40localhost HTTP/1.1", "/n/***%40localhost HTTP/1.1"),
        ("GET /h?to=ada%40EXAMPLE%2ECOM&x=1", "GET /h?to=***%40EXAMPLE%2ECOM&x=1"),
        ("for 'first{x}@example.com'", "for '***@example.com'"),
        ("for ada@example。com", "for ***@example。com"),
        # A name at a host, with no dot in it, is not an address.
        ("worker@node-1 ready.", "worker@node-1 ready."),
    ],
)
def test_email_addresses_are_masked(
    server_log: ServerLog, message: str, logged: str
) -> None:
    logger.info("%s", message)

    [line] = server_log.lines()
    assert (match := TEXT_LINE.fullmatch(line)), line
    assert match["message"] == logged


def test_the_access_log_stays_off_when_uvicorn_turned_it_off(
    server_log: ServerLog,
) -> None:
    # As `uvicorn --no-access-log` leaves it.
    access = logging.getLogger("uvicorn.access")
    access.handlers, access.propagate = [], False
    server_log.configure()

    access.info('127.0.0.1:5000 - "GET / HTTP/1.1" 200')

    assert server_log.lines() == []


def test_json_stays_valid_where_an_address_follows_an_escape(
    server_log: ServerLog,
) -> None:
    server_log.configure("INFO", "json")

    logger.info("first line\nada@example.com\tbob@example.com")

    [line] = server_log.lines()
    message = json.loads(line)["message"]
    assert message == "first line\n***@example.com\t***@example.com"


def test_addresses_are_masked_in_tracebacks_and_extra_values(
    server_log: ServerLog,
) -> None:
    server_log.configure("INFO", "json")
    task = {"args": "('ada@example.com',)", "to": ["ada@example.com"]}
    try:
        raise ValueError("no mailbox for ada@example.com")
    except ValueError as error:
        logger.exception("failed", extra={"data": task, "error": error})

    [line] = server_log.lines()
    assert "ada@" not in line
    record = json.loads(line)
    assert record["exc_info"].endswith("ValueError: no mailbox for ***@example.com")
    assert record["data"] == {"args": "('***@example.com',)", "to": ["***@example.com"]}
    assert record["error"] == "ValueError: no mailbox for ***@example.com"
