"""The embedded broker: kombu's filesystem transport, safe with several processes.

kombu writes a message file straight into the queue folder, so a worker that polls the
folder can read it half-written, fail to decode it and stop. Here a message is written
under a temporary name and renamed into the queue folder, and a worker claims it by
renaming it into the processed folder: each rename is atomic, so a message is read
whole and by one worker only. Both folders must be on the same file system.
"""

import os
import uuid
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


class Transport(filesystem.Transport):
    Channel = Channel
