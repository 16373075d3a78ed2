"""The peer of the celery pattern: FastAPI and Celery as a user writes them by hand.

One module holds the Celery app, its task and the API: ``POST
/send-notification/{email}`` calls ``task.delay()`` and answers 202 with the task id,
``GET /tasks/{task_id}`` reads ``AsyncResult``. The task appends one line to
``APP_LOG_FILE``. The broker and the result backend come from ``CELERY_BROKER_URL``
and ``CELERY_RESULT_BACKEND``, the queue from ``APP_TASK_QUEUE``, as for the project.
A benchmark fixture, not part of any generated project. Run the worker with

    celery -A minimal_celery_app.celery_app worker
"""

import os

from celery import Celery
from celery.result import AsyncResult
from fastapi import FastAPI

celery_app = Celery(__name__)
celery_app.conf.task_default_queue = os.environ.get("APP_TASK_QUEUE", "celery")
LOG_FILE = os.environ.get("APP_LOG_FILE", "log.txt")


@celery_app.task
def write_notification(email: str, message: str = "") -> str:
    content = f"notification for {email}: {message}"
    with open(LOG_FILE, mode="a") as email_file:
        email_file.write(content + "\n")
    return content


app = FastAPI()


@app.post("/send-notification/{email}", status_code=202)
def send_notification(email: str) -> dict:
    task = write_notification.delay(email, message="some notification")
    return {"task_id": task.id, "status_url": f"/tasks/{task.id}"}


@app.get("/tasks/{task_id}")
def task_status(task_id: str) -> dict:
    result = AsyncResult(task_id, app=celery_app)
    value = result.result if result.successful() else None
    return {"task_id": task_id, "state": result.state, "result": value}


@app.get("/health")
async def health() -> dict:
    return {"status": "ok"}
