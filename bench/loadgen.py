"""A load generator for one HTTP server on this machine; prints its figures as JSON.

It runs as a process of its own, so that its work never shares an event loop (or a
GIL) with the server it measures. It speaks raw HTTP/1.1 over asyncio streams with
keep-alive: no client library's cost is in the figures. Two modes:

``load``
    Closed loop at a fixed concurrency: each of ``--concurrency`` connections sends
    its next request as soon as its previous answer is in, until ``--requests`` have
    been answered in all. ``--warmup`` requests go first and are not counted.
    Prints requests/s, the p50 and p99 latency and the count of answers by status.

``follow``
    One task at a time, on one connection: POST, then GET the ``status_url`` of the
    answer back to back until its state is SUCCESS. Prints the p50 and p99 of that
    whole time, and of the POST alone (the enqueue).

Every path takes ``{i}``, replaced by the request's number, so that each request
names a recipient of its own (``/send-notification/user-{i}@example.com``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

REQUEST_TIMEOUT_SECONDS = 30.0
FOLLOW_DEADLINE_SECONDS = 30.0
"""How long one followed task may take to reach SUCCESS before it counts as lost."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class ClosedByServer(Exception):
    """The server closed the connection before it answered."""


class Connection:
    """One keep-alive HTTP/1.1 connection, opened again when the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self._host = host
        self._port = port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, method: str, target: str) -> Response:
        if self._streams is None:
            self._streams = await asyncio.open_connection(self._host, self._port)
        reader, writer = self._streams
        writer.write(
            f"{method} {target} HTTP/1.1\r\nHost: {self._host}:{self._port}\r\n"
            "Content-Length: 0\r\n\r\n".encode("ascii")
        )
        try:
            await writer.drain()
            response = await _read_response(reader)
        except (OSError, asyncio.IncompleteReadError, ClosedByServer):
            await self.close()
            raise
        if response.headers.get("connection", "").lower() == "close":
            await self.close()
        return response

    async def close(self) -> None:
        if self._streams is not None:
            writer = self._streams[1]
            self._streams = None
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


async def _read_response(reader: asyncio.StreamReader) -> Response:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        raise ClosedByServer() from error
    status_line, *header_lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" not in headers:
        # The servers measured here (uvicorn) always send it for these endpoints.
        raise ValueError(f"answer without Content-Length: {status_line!r}")
    body = await reader.readexactly(int(headers["content-length"]))
    return Response(int(status_line.split(" ", 2)[1]), headers, body)


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile of ``samples`` (``fraction`` 0.99 for p99)."""
    ordered = sorted(samples)
    rank = max(1, round(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def latency_summary(seconds: list[float], name: str) -> dict[str, float | None]:
    if not seconds:
        return {f"{name}_p50_ms": None, f"{name}_p99_ms": None}
    return {
        f"{name}_p50_ms": percentile(seconds, 0.50) * 1000,
        f"{name}_p99_ms": percentile(seconds, 0.99) * 1000,
    }


@dataclass
class LoadRecord:
    latencies: list[float]
    statuses: Counter[str]
    rejections_without_retry_after: int = 0


async def send_requests(
    host: str,
    port: int,
    method: str,
    path: str,
    concurrency: int,
    numbers: range,
) -> LoadRecord:
    """Send one request for each number in ``numbers`` over ``concurrency``
    connections; record each answer's latency and status."""
    record = LoadRecord(latencies=[], statuses=Counter())
    pending = iter(numbers)

    async def keep_sending(connection: Connection) -> None:
        for number in pending:  # the connections share one iterator
            target = path.replace("{i}", str(number))
            started = time.perf_counter()
            try:
                response = await asyncio.wait_for(
                    connection.request(method, target), REQUEST_TIMEOUT_SECONDS
                )
            except asyncio.TimeoutError:
                await connection.close()
                record.statuses["timeout"] += 1
                continue
            except (OSError, asyncio.IncompleteReadError, ClosedByServer):
                record.statuses["connection error"] += 1
                continue
            record.latencies.append(time.perf_counter() - started)
            record.statuses[str(response.status)] += 1
            if response.status == 503 and "retry-after" not in response.headers:
                record.rejections_without_retry_after += 1
        await connection.close()

    await asyncio.gather(
        *(keep_sending(Connection(host, port)) for _ in range(concurrency))
    )
    return record


async def measure_load(arguments: argparse.Namespace) -> dict[str, Any]:
    host, port, path = arguments.host, arguments.port, arguments.path
    warmup = range(arguments.warmup)
    measured = range(arguments.warmup, arguments.warmup + arguments.requests)
    warmup_record = await send_requests(
        host, port, arguments.method, path, arguments.concurrency, warmup
    )
    started = time.perf_counter()
    record = await send_requests(
        host, port, arguments.method, path, arguments.concurrency, measured
    )
    duration = time.perf_counter() - started
    return {
        "concurrency": arguments.concurrency,
        "warmup_requests": arguments.warmup,
        "warmup_statuses": dict(warmup_record.statuses),
        "requests": arguments.requests,
        "duration_s": duration,
        "requests_per_s": arguments.requests / duration,
        **latency_summary(record.latencies, "latency"),
        "statuses": dict(record.statuses),
        "rejections_without_retry_after": record.rejections_without_retry_after,
    }


async def follow_one_task(connection: Connection, path: str) -> tuple[float, float]:
    """POST ``path``, then poll its status URL until SUCCESS.

    Return the seconds the POST took and the seconds until SUCCESS was read."""
    started = time.perf_counter()
    queued = await connection.request("POST", path)
    enqueued = time.perf_counter()
    if queued.status != 202:
        raise RuntimeError(f"POST {path} answered {queued.status}: {queued.body!r}")
    status_url = json.loads(queued.body)["status_url"]
    deadline = started + FOLLOW_DEADLINE_SECONDS
    while time.perf_counter() < deadline:
        status = await connection.request("GET", status_url)
        state = json.loads(status.body)["state"] if status.status == 200 else None
        if state == "SUCCESS":
            return enqueued - started, time.perf_counter() - started
        if state == "FAILURE" or status.status != 200:
            raise RuntimeError(f"GET {status_url} answered {status.status}: {state}")
    raise TimeoutError(f"{status_url} not SUCCESS after {FOLLOW_DEADLINE_SECONDS} s")


async def measure_follow(arguments: argparse.Namespace) -> dict[str, Any]:
    connection = Connection(arguments.host, arguments.port)
    enqueue_seconds: list[float] = []
    success_seconds: list[float] = []
    for number in range(arguments.warmup + arguments.tasks):
        enqueue, success = await follow_one_task(
            connection, arguments.path.replace("{i}", str(number))
        )
        if number >= arguments.warmup:
            enqueue_seconds.append(enqueue)
            success_seconds.append(success)
    await connection.close()
    return {
        "tasks": arguments.tasks,
        "warmup_tasks": arguments.warmup,
        **latency_summary(success_seconds, "end_to_end"),
        **latency_summary(enqueue_seconds, "enqueue"),
        "end_to_end_mean_ms": statistics.fmean(success_seconds) * 1000,
        "enqueue_mean_ms": statistics.fmean(enqueue_seconds) * 1000,
    }


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    modes = parser.add_subparsers(dest="mode", required=True)
    for mode in ("load", "follow"):
        subparser = modes.add_parser(mode)
        subparser.add_argument("--host", default="127.0.0.1")
        subparser.add_argument("--port", type=int, required=True)
        subparser.add_argument("--path", required=True, help="may contain {i}")
        subparser.add_argument("--warmup", type=int, default=0)
    load = modes.choices["load"]
    load.add_argument("--method", default="POST")
    load.add_argument("--concurrency", type=int, required=True)
    load.add_argument("--requests", type=int, required=True)
    modes.choices["follow"].add_argument("--tasks", type=int, required=True)
    return parser.parse_args(argv)


def main(argv: list[str]) -> None:
    arguments = parse_arguments(argv)
    measure = measure_load if arguments.mode == "load" else measure_follow
    print(json.dumps(asyncio.run(measure(arguments))))


if __name__ == "__main__":
    main(sys.argv[1:])
