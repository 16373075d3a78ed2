"""Logging for the app, its background work and uvicorn, set up in one place.

Every record goes to stderr as one line: time, level, logger name, the id of the
request that caused it (``-`` for none), message. With ``APP_LOG_FORMAT=json`` each
record is one JSON object instead, for log shippers. The request id is the one
asgi-correlation-id's middleware takes from ``X-Request-ID`` or makes.
"""

import logging
import logging.config
import re
from typing import Any, Literal

from pythonjsonlogger.core import RESERVED_ATTRS

LogLevel = Literal["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"]
LogFormat = Literal["text", "json"]

# The part before the @ of an address, as it appears in a message or a repr, where
# the domain must have a dot (worker@host is a name at a host), or before the %40 of
# a path as uvicorn's access log quotes it, where the domain may be quoted too.
_LOCAL_PART = re.compile(
    r"""[^\s"'<>()\[\]{},;:/\\@]+"""
    r"""(?=@[\w-]+(?:\.[\w-]+)+|%40[\w%.-]*[\w%])"""
)
MASK = "***"

# The attributes every record has; any other attribute was passed with ``extra=``.
_STANDARD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message"}


def mask_email_addresses(value: Any) -> Any:
    """Return ``value`` with the part before the @ of each address replaced by ***.

    Strings are masked, and the strings inside dicts, lists and tuples; any other
    value is returned as it is. The domain stays: it tells which mail service failed.
    """
    if isinstance(value, str):
        return _LOCAL_PART.sub(MASK, value)
    if isinstance(value, dict):
        return {key: mask_email_addresses(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(mask_email_addresses(item) for item in value)
    return value


class MaskEmailAddresses(logging.Filter):
    """A handler filter that keeps email addresses out of the log.

    It masks them in the record's message, its traceback and its ``extra=`` values
{%- if cookiecutter.task_pattern == "celery" %}
    (Celery passes a task's arguments that way){% endif %}, so that every formatter
    writes the masked text: the record's arguments are merged into its message for
    that.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: the handler reports it
            return True
        record.msg, record.args = mask_email_addresses(message), None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None  # formatters write exc_text instead
        if record.exc_text:
            record.exc_text = mask_email_addresses(record.exc_text)
        for name, value in vars(record).items():
            if name not in _STANDARD_ATTRIBUTES:
                setattr(record, name, mask_email_addresses(value))
        return True


def configure_logging(level: LogLevel, log_format: LogFormat) -> None:
    """Send every record at ``level`` or above to stderr, in ``log_format``.

    One handler on the root logger, which the records of uvicorn's loggers reach too:
    call it after the server has set up its own logging, as the app's lifespan does
{%- if cookiecutter.task_pattern == "celery" %}
    (the worker calls it instead of Celery's own set-up){% endif %}.
    Calling it again replaces the handler. ``level`` is a level name such as "INFO";
    ``log_format`` is "text" or "json".
    """
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {
                "request_id": {
                    "()": "asgi_correlation_id.CorrelationIdFilter",
                    "default_value": "-",
                },
                "mask_email_addresses": {"()": MaskEmailAddresses},
            },
            "formatters": {
                "text": {
                    "format": "%(asctime)s %(levelname)s %(name)s"
                    " [%(correlation_id)s] %(message)s"
                },
                "json": {
                    "()": "pythonjsonlogger.json.JsonFormatter",
                    "fmt": ["levelname", "name", "correlation_id", "message"],
                    "rename_fields": {
                        "levelname": "level",
                        "name": "logger",
                        "correlation_id": "request_id",
                    },
                    "timestamp": "time",
                    # uvicorn's copy of each message, with terminal colours.
                    "reserved_attrs": [*RESERVED_ATTRS, "color_message"],
                },
            },
            "handlers": {
                "stderr": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stderr",
                    "filters": ["request_id", "mask_email_addresses"],
                    "formatter": log_format,
                    "level": level,
                },
            },
            "root": {"level": level, "handlers": ["stderr"]},
            # uvicorn's loggers keep no handler or level of their own.
            "loggers": {
                name: {"handlers": [], "level": "NOTSET", "propagate": True}
                for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
            },
        }
    )
