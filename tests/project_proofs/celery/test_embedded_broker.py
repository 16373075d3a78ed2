"""Processes that bind and delete queues at once, as the reply queues of Flower's and
``celery inspect``'s control commands do, leave the embedded broker's table of an
exchange readable and exact."""

import json
import multiprocessing
from pathlib import Path

from celery import Celery
from kombu import Exchange, Queue

from background_tasks_app.config import Settings, celery_config

PROCESSES = 8
QUEUES_EACH = 30


def bind_and_delete(data_dir: str, process: int) -> None:
    settings = Settings(data_dir=Path(data_dir), broker_url=None, result_backend=None)
    app = Celery(config_source=celery_config(settings))
    exchange = Exchange("proof.replies", type="direct")
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        for n in range(QUEUES_EACH):
            name = f"reply-{process}-{n}"
            queue = Queue(name, exchange, routing_key=name)(channel)
            queue.declare()
            queue.delete()


def test_concurrent_binds_and_deletes_leave_the_exchange_table_exact(
    tmp_path: Path,
) -> None:
    processes = [
        multiprocessing.Process(target=bind_and_delete, args=(str(tmp_path), n))
        for n in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)

    assert [process.exitcode for process in processes] == [0] * PROCESSES
    table = tmp_path / "broker" / "proof.replies.exchange"
    assert json.loads(table.read_text(encoding="utf-8")) == []
    assert not list((tmp_path / "broker").glob("*.part"))
