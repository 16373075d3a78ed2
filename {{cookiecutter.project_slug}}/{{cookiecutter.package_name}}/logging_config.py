"""Logging for the app, its background work and uvicorn, set up in one place.

Every record goes to stderr as one line: time, level, logger name, the id of the
request that caused it (``-`` for none), message. With ``APP_LOG_FORMAT=json`` each
record is one JSON object instead, for log shippers. The request id is the one
asgi-correlation-id's middleware takes from ``X-Request-ID`` or makes. The part before
the @ of every email address is masked.
"""

import logging
import logging.config
import re
from typing import Literal

import pythonjsonlogger.json
from pythonjsonlogger.core import RESERVED_ATTRS

LogLevel = Literal["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"]
LogFormat = Literal["text", "json"]

# Characters that end the part before the @: spaces, quotes, brackets, separators.
_AROUND = r"""\s"'<>()\[\],;:/\\@?&="""
# The part before the @ of an address, in a message, a repr or a traceback, where the
# domain must have a dot, ASCII or not (worker@host is a name at a host); or before
# the %40 of a path or a query string as uvicorn's access log quotes them.
_LOCAL_PART = re.compile(
    rf"[^{_AROUND}]+(?=@[^{_AROUND}]*?[.\u3002\uff0e\uff61][^{_AROUND}.]|%40[\w%.-])"
)
MASK = "***"


def mask_email_addresses(text: str) -> str:
    """Return ``text`` with the part before the @ of each address replaced by ***.

    The domain stays: it tells which mail service failed. A best effort on free text:
    a local part with a ``/``, a quote or a bracket keeps what comes before it.
    """
    return _LOCAL_PART.sub(MASK, text)


class _MasksEmailAddresses(logging.Formatter):
    """Masks addresses in the formatted record (message, arguments, traceback and
    ``extra=`` values alike); the record itself, which other handlers see too, is not
    changed."""

    def format(self, record: logging.LogRecord) -> str:
        try:
            text = super().format(record)
        except (TypeError, ValueError):  # arguments that do not fit the message
            record = logging.makeLogRecord(
                {**vars(record), "msg": f"{record.msg} (bad arguments)", "args": None}
            )
            text = super().format(record)
        return mask_email_addresses(text)


class TextFormatter(_MasksEmailAddresses):
    """One line per record (a traceback follows on its own lines), addresses masked."""


class JsonFormatter(_MasksEmailAddresses, pythonjsonlogger.json.JsonFormatter):
    """One JSON object per record, on one line, addresses masked."""


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
                    # Letters outside ASCII as they are, so that masking sees them.
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
