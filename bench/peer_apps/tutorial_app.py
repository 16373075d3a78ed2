"""The peer of the add_task pattern: FastAPI's own tutorial example.

The background-tasks page of FastAPI's documentation, as a user would copy it: one
endpoint adds a plain ``def`` task that opens the log file and writes one line. Two
changes let the benchmark count the lines: the path comes from ``APP_LOG_FILE``, and
the file is opened with "a" and the line ends in a newline (the tutorial overwrites
``log.txt`` with "w"). A benchmark fixture, not part of any generated project.
"""

import os

from fastapi import BackgroundTasks, FastAPI

app = FastAPI()

LOG_FILE = os.environ.get("APP_LOG_FILE", "log.txt")


def write_notification(email: str, message: str = "") -> None:
    with open(LOG_FILE, mode="a") as email_file:
        content = f"notification for {email}: {message}\n"
        email_file.write(content)


@app.post("/send-notification/{email}")
async def send_notification(email: str, background_tasks: BackgroundTasks) -> dict:
    background_tasks.add_task(write_notification, email, message="some notification")
    return {"message": "Notification sent in the background"}


@app.get("/health")
async def health() -> dict:
    return {"status": "ok"}
