"""The embedded broker: kombu's filesystem transport, safe with several processes.

kombu writes a message file straight into the queue folder, so a worker that polls the
folder can read it half-written, fail to decode it and stop. Here a message is written
under a temporary name and renamed into the queue folder, and a worker claims it by
renaming it into the processed folder: each rename is atomic, so a message is read
whole and by one worker only. Both folders must be on the same file system.

The same goes for an exchange's table of bound queues, which the control commands of
Flower and ``celery inspect`` add their reply queues to and remove them from: kombu
truncates the file before it locks it, so two processes binding at once could leave
it corrupt, and the worker's replies then fail to decode. Here it is changed under a
lock file of its own and replaced whole.
"""

import os
import uuid
from collections.abc import Callable
from time import time_ns
from typing import Any

from kombu.transport import filesystem
from kombu.transport.virtual import Empty
from kombu.utils.json import dumps, loads


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:
        # Zero-padded nanoseconds: file names sort oldest first, as the queue is read.
        name = f"{time_ns():020d}_{uuid.uuid4()}.{queue}.msg"
        target = os.path.join(self.data_folder_out, name)
        with open(f"{target}.part", "wb") as partial:
            partial.write(dumps(payload).encode("utf-8"))
        os.replace(f"{target}.part", target)

    def _get(self, queue: str) -> dict[str, Any]:
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != f"{queue}.msg":
                continue
            claimed = os.path.join(self.processed_folder, name)
            try:
                os.rename(os.path.join(self.data_folder_in, name), claimed)
            except FileNotFoundError:  # another worker claimed it first
                continue
            with open(claimed, "rb") as message:
                payload = message.read()
            os.remove(claimed)
            result: dict[str, Any] = loads(payload.decode("utf-8"))
            return result
        raise Empty()

    def _queue_bind(
        self, exchange: str, routing_key: str, pattern: str, queue: str
    ) -> None:
        if os.name == "nt":  # Windows cannot replace a file that a reader holds open
            super()._queue_bind(exchange, routing_key, pattern, queue)
            return
        self.control_folder.mkdir(exist_ok=True)
        bound = filesystem.exchange_queue_t(
            routing_key or "", pattern or "", queue or ""
        )
        self._rewrite_table(
            exchange, lambda queues: queues if bound in queues else [bound, *queues]
        )

    def _delete(
        self,
        queue: str,
        exchange: str,
        routing_key: str,
        pattern: str,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if os.name == "nt":
            super()._delete(queue, exchange, routing_key, pattern, *args, **kwargs)
            return
        # The queue's messages, as kombu's virtual channel deletes them; then its
        # binding, under the same lock as _queue_bind.
        super(filesystem.Channel, self)._delete(
            queue, exchange, routing_key, pattern, *args, **kwargs
        )
        unbound = filesystem.exchange_queue_t(
            routing_key or "", pattern or "", queue or ""
        )
        if self._exchange_file(exchange).exists():
            self._rewrite_table(
                exchange, lambda queues: [q for q in queues if q != unbound]
            )

    def _rewrite_table(
        self, exchange: str, change: Callable[[list[Any]], list[Any]]
    ) -> None:
        """Replace the exchange's table with ``change(table)``: one process at a time,
        and readers see the old table or the new one, whole."""
        table = self._exchange_file(exchange)
        with open(f"{table}.lock", "a") as binding:
            filesystem.lock(binding, filesystem.LOCK_EX)
            try:
                queues = self.get_table(exchange)
                changed = change(queues)
                if changed == queues:
                    return
                partial = f"{table}.{uuid.uuid4()}.part"
                with open(partial, "w", encoding="utf-8") as new_table:
                    new_table.write(dumps(changed))
                os.replace(partial, table)
            finally:
                filesystem.unlock(binding)


class Transport(filesystem.Transport):
    Channel = Channel
