"""The celery project's worker app as measurement 8 runs it on its worker hosts.

Run as ``celery -A worker_app worker`` with bench/ on ``PYTHONPATH``. It is the
project's own app (``<package>.worker``, the package from ``BENCH_PACKAGE``), with two
changes made from the outside, as bench/serve.py makes its own:

- every task waits ``BENCH_TASK_SECONDS`` first, as a task that waits on I/O (a mail
  server, an API) does: ``<package>.tasks.append_line``, the write the notification
  task ends in, is replaced by one that sleeps first;
- Redis's ``visibility_timeout`` is ``BENCH_VISIBILITY_TIMEOUT`` seconds instead of
  the project's 240, and a worker looks for messages past it every second instead of
  every 10 s (``unacked_restore_interval``). The timeout must outlast the longest
  task plus the longest retry delay; these tasks take 0.05 s and do not fail, so a
  few seconds are safe, and the tasks that a host cut off had taken come back to the
  other host in seconds, where the project's settings take up to 240 + 10 s. The lock
  taken to hand them back expires after 10 s instead of 300.
"""

import importlib
import os
import time
from pathlib import Path

PACKAGE = os.environ["BENCH_PACKAGE"]
TASK_SECONDS = float(os.environ["BENCH_TASK_SECONDS"])
VISIBILITY_TIMEOUT = float(os.environ["BENCH_VISIBILITY_TIMEOUT"])

worker = importlib.import_module(f"{PACKAGE}.worker")
tasks = importlib.import_module(f"{PACKAGE}.tasks")
append_line = tasks.append_line


def append_line_after_waiting(path: Path, text: str) -> None:
    time.sleep(TASK_SECONDS)
    append_line(path, text)


tasks.append_line = append_line_after_waiting
celery_app = worker.celery_app
celery_app.conf.broker_transport_options.update(
    visibility_timeout=VISIBILITY_TIMEOUT,
    unacked_restore_interval=1,
    # The lock a worker takes to hand messages back expires after 300 s: a host cut
    # off while it held the lock would keep every other worker from doing it for that
    # long. Each hand-back takes milliseconds.
    unacked_mutex_expire=10,
)
