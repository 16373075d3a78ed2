"""Dependencies that schedule background work of their own.

FastAPI creates one ``BackgroundTasks`` per request and hands that same instance to the
endpoint, to its dependencies and to their sub-dependencies. Every task added at any
level runs after the response has been sent, in the order it was added; dependencies
run before the endpoint, so their tasks come first.
"""

import re
from pathlib import Path
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Query
from pydantic import AfterValidator

from .config import SettingsDep
from .tasks import write_log


class DeferredLog:
    """Writes lines to the log file once the response has been sent."""

    def __init__(self, background_tasks: BackgroundTasks, log_file: Path) -> None:
        self._background_tasks = background_tasks
        self._log_file = log_file

    def write(self, line: str) -> None:
        self._background_tasks.add_task(write_log, self._log_file, line)


async def get_deferred_log(
    background_tasks: BackgroundTasks, settings: SettingsDep
) -> DeferredLog:
    """Sub-dependency: a log writer bound to this request's background tasks."""
    return DeferredLog(background_tasks, settings.log_file)


DeferredLogDep = Annotated[DeferredLog, Depends(get_deferred_log)]


# C0 and C1 control characters and DEL: line breaks, tabs, terminal escapes.
CONTROL_CHARACTERS = r"\x00-\x1f\x7f-\x9f"
_control_character = re.compile(f"[{CONTROL_CHARACTERS}]")


def _no_control_characters(value: str | None) -> str | None:
    if value is not None and _control_character.search(value):
        raise ValueError(
            "must not contain line breaks, tabs or other control characters"
        )
    return value


SearchQuery = Annotated[
    str | None,
    Query(
        max_length=200,
        description="When given, `found query: {q}` is logged first.",
        # The schema states the rule for clients; the validator gives a clearer error.
        json_schema_extra={"pattern": f"^[^{CONTROL_CHARACTERS}]*$"},
    ),
    AfterValidator(_no_control_characters),
]


async def get_query(deferred_log: DeferredLogDep, q: SearchQuery = None) -> str | None:
    """Dependency: when a query is given, schedule a line recording it."""
    if q:
        deferred_log.write(f"found query: {q}")
    return q
