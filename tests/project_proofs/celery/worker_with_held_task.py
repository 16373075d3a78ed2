"""Run ``celery worker`` on the project's app, optionally holding its task midway.

    python worker_with_held_task.py {before,after,nowhere} FLAG_DIR

``before`` holds each task before it writes its notification, ``after`` once it has
written it but before the worker acknowledges the message. A held task touches
``FLAG_DIR/held``, then waits for ``FLAG_DIR/release``. The crash tests SIGKILL the
worker while it waits, then start another one.

A worker that does not hold its tasks sweeps Redis for unacknowledged messages every
second and takes back those older than one second, instead of the production
visibility timeout of minutes and sweep of 10 s, so that the test need not wait that
long; it sweeps at each tick as the project's configuration says (kombu's default
would sweep at every tenth).
"""

import sys
import time
from pathlib import Path
from typing import Any

from background_tasks_app import tasks, worker

WAIT_SECONDS = 15.0

QUICK_REDELIVERY = {"visibility_timeout": 1, "unacked_restore_interval": 1}


def wait_for_release(flag_dir: Path) -> None:
    (flag_dir / "held").touch()
    deadline = time.monotonic() + 4 * WAIT_SECONDS
    while not (flag_dir / "release").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the test never released the task")
        time.sleep(0.01)


def hold_tasks(hold_point: str, flag_dir: Path) -> None:
    write_notification = tasks.write_notification

    def held_write_notification(*args: Any) -> str:
        if hold_point == "before":
            wait_for_release(flag_dir)
        line = write_notification(*args)
        if hold_point == "after":
            wait_for_release(flag_dir)
        return line

    tasks.write_notification = held_write_notification


def main(hold_point: str, flag_dir: Path) -> None:
    conf = worker.celery_app.conf
    conf.worker_enable_remote_control = False  # leaves no pidbox on a shared broker
    if hold_point == "nowhere":
        if conf.broker_url.startswith("redis"):
            conf.broker_transport_options.update(QUICK_REDELIVERY)
    else:
        hold_tasks(hold_point, flag_dir)
    worker.celery_app.worker_main(
        [
            "worker",
            "--loglevel=WARNING",
            "--concurrency=1",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ]
    )


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
