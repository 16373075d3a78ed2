"""Logging for the app, its background work and uvicorn, set up in one place.

Every record goes to stderr as one line: time, level, logger name, the id of the
request that caused it (``-`` for none), message. With ``APP_LOG_FORMAT=json`` each
record is one JSON object instead, for log shippers. The request id is the one
asgi-correlation-id's middleware takes from ``X-Request-ID`` or makes. The part before
the @ of every email address is masked.
"""

import json
import logging
import logging.config
import re
from typing import Any, Literal

import pythonjsonlogger.json
from pythonjsonlogger.core import RESERVED_ATTRS

LogLevel = Literal["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"]
LogFormat = Literal["text", "json"]

# What ends the part before the @: spaces, quotes, brackets, separators.
_AROUND = """\t\n\r\x0b\x0c "'<>()[],;:/\\@?&="""
# An @ followed by a domain with a dot, ASCII or not (worker@host is a name at a
# host); or a %40, the @ of a path or a query string as uvicorn's access log quotes it.
_AT = re.compile(
    rf"@(?=[^\s{re.escape(_AROUND)}]*?[.\u3002\uff0e\uff61][^\s{re.escape(_AROUND)}.])"
    r"|%40(?=[\w%.-])"
)
MASK = "***"


def mask_email_addresses(text: str) -> str:
    """Return ``text`` with the part before the @ of each address replaced by ***.

    The domain stays: it tells which mail service failed. A best effort on free text:
    a local part with a ``/``, a quote or a bracket keeps what comes before it. Linear
    in the length of ``text``, however long its words.
    """
    masked, done = [], 0
    for at in _AT.finditer(text):
        start = at.start()
        while start > done and not (
            text[start - 1] in _AROUND or text[start - 1].isspace()
        ):
            start -= 1
        masked.append(text[done:start])
        masked.append(MASK if start < at.start() else "")
        done = at.start()
    masked.append(text[done:])
    return "".join(masked)


class _TakesBadArguments(logging.Formatter):
    """Writes a record whose arguments do not fit its message as the message with
    "(bad arguments)", where ``logging`` would print the arguments to stderr."""

    def format(self, record: logging.LogRecord) -> str:
        try:
            return super().format(record)
        except (TypeError, ValueError):
            record = logging.makeLogRecord(
                {**vars(record), "msg": f"{record.msg} (bad arguments)", "args": None}
            )
            return super().format(record)


class TextFormatter(_TakesBadArguments):
    """One line per record (a traceback follows on its own lines), with the
    addresses masked in the written text; the record, which other handlers see too,
    is left as it is."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_email_addresses(super().format(record))


class JsonFormatter(_TakesBadArguments, pythonjsonlogger.json.JsonFormatter):
    """One JSON object per record, on one line, with the addresses masked in every
    string of it (message, traceback, ``extra=`` values of any type)."""

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        masked: dict[str, Any] = self._masked(log_data)
        return masked

    def _masked(self, value: Any) -> Any:
        if isinstance(value, str):
            return mask_email_addresses(value)
        if isinstance(value, dict):
            return {self._masked(k): self._masked(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._masked(item) for item in value]
        if value is None or isinstance(value, bool | int | float):
            return value
        # Anything else as the encoder will write it: a string, most often.
        encoded = json.dumps(value, cls=self.json_encoder, default=self.json_default)
        return self._masked(json.loads(encoded))


def configure_logging(level: LogLevel, log_format: LogFormat) -> None:
    """Send every record at ``level`` or above to stderr, in ``log_format``.

    One handler on the root logger, which the records of uvicorn's loggers reach too:
    call it after the server has set up its own logging, as the app's lifespan does
{%- if cookiecutter.task_pattern == "celery" %}
    (the worker calls it instead of Celery's own set-up){% endif %}.
    Calling it again replaces the handler. ``level`` is a level name such as "INFO";
    ``log_format`` is "text" or "json".
    """
    # `uvicorn --no-access-log` leaves the access logger with no handler and not
    # propagating: it stays off.
    access = logging.getLogger("uvicorn.access")
    access_log = access.propagate or bool(access.handlers)
    # uvicorn's loggers keep no handler or level of their own.
    uvicorn = {"handlers": [], "level": "NOTSET", "propagate": True}
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {
                "request_id": {
                    "()": "asgi_correlation_id.CorrelationIdFilter",
                    "default_value": "-",
                },
            },
            "formatters": {
                "text": {
                    "()": TextFormatter,
                    "fmt": "%(asctime)s %(levelname)s %(name)s"
                    " [%(correlation_id)s] %(message)s",
                },
                "json": {
                    "()": JsonFormatter,
                    "fmt": ["levelname", "name", "correlation_id", "message"],
                    "rename_fields": {
                        "levelname": "level",
                        "name": "logger",
                        "correlation_id": "request_id",
                    },
                    "timestamp": "time",
                    # uvicorn's copy of each message, with terminal colours.
                    "reserved_attrs": [*RESERVED_ATTRS, "color_message"],
                    "json_ensure_ascii": False,
                },
            },
            "handlers": {
                "stderr": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stderr",
                    "filters": ["request_id"],
                    "formatter": log_format,
                    "level": level,
                },
            },
            "root": {"level": level, "handlers": ["stderr"]},
            "loggers": {
                "uvicorn": uvicorn,
                "uvicorn.error": uvicorn,
                "uvicorn.access": {**uvicorn, "propagate": access_log},
            },
        }
    )
