"""Remove what one benchmark run left on a shared broker: its queue and its results.

Run it with the celery project's interpreter (kombu and redis come with it):

    <venv>/bin/python bench/clean_broker.py --broker-url URL --queue NAME \
        [--result-backend redis://... --sent-dir DATA_DIR/sent]

The queue, and its exchange, are deleted as the project's tests delete theirs. With a
Redis result backend, the result of each task that ran is deleted too: the worker
records every task it completes under its task id in ``<APP_DATA_DIR>/sent``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import redis
from kombu import Connection, Exchange, Queue

RESULT_KEY_PREFIX = "celery-task-meta-"
DELETE_BATCH = 1000


def delete_queue(broker_url: str, name: str) -> None:
    """Remove the queue, as Celery declared it, and its exchange from the broker.

    Declared again first, so that kombu knows the binding it has to remove.
    """
    queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
    with Connection(broker_url) as connection:
        bound = queue(connection.default_channel)
        bound.declare()
        bound.delete()
        bound.exchange.delete()


def delete_results(result_backend: str, task_ids: list[str]) -> int:
    """Delete the stored results of ``task_ids``; return how many existed."""
    deleted = 0
    with redis.Redis.from_url(result_backend) as client:
        for start in range(0, len(task_ids), DELETE_BATCH):
            batch = task_ids[start : start + DELETE_BATCH]
            deleted += client.delete(*(RESULT_KEY_PREFIX + task for task in batch))
    return deleted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--broker-url", required=True)
    parser.add_argument("--queue", required=True)
    parser.add_argument("--result-backend", help="a redis:// result backend")
    parser.add_argument("--sent-dir", type=Path, help="the worker's record of tasks")
    arguments = parser.parse_args()

    delete_queue(arguments.broker_url, arguments.queue)
    deleted_results = 0
    if arguments.result_backend and arguments.sent_dir and arguments.sent_dir.is_dir():
        task_ids = [path.name for path in arguments.sent_dir.iterdir()]
        deleted_results = delete_results(arguments.result_backend, task_ids)
    print(json.dumps({"queue": arguments.queue, "deleted_results": deleted_results}))


if __name__ == "__main__":
    main()
