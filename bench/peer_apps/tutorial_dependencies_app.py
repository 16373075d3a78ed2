"""The peer of the dependency_injected pattern: FastAPI's tutorial example of
``BackgroundTasks`` in a dependency.

As the background-tasks page of FastAPI's documentation gives it: a ``get_query``
dependency adds a task when ``q`` is given, and the endpoint adds one more; each task
opens the log file and appends its line. The log file's path comes from
``APP_LOG_FILE`` so that the benchmark can count its lines. A benchmark fixture, not
part of any generated project.
"""

import os
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI

app = FastAPI()

LOG_FILE = os.environ.get("APP_LOG_FILE", "log.txt")


def write_log(message: str) -> None:
    with open(LOG_FILE, mode="a") as log:
        log.write(message)


def get_query(background_tasks: BackgroundTasks, q: str | None = None) -> str | None:
    if q:
        message = f"found query: {q}\n"
        background_tasks.add_task(write_log, message)
    return q


@app.post("/send-notification/{email}")
async def send_notification(
    email: str, background_tasks: BackgroundTasks, q: Annotated[str, Depends(get_query)]
) -> dict:
    message = f"message to {email}\n"
    background_tasks.add_task(write_log, message)
    return {"message": "Message sent"}


@app.get("/health")
async def health() -> dict:
    return {"status": "ok"}
