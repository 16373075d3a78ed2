"""Measurement 8: the celery pattern on several hosts, and one host cut off mid-run.

Four hosts made of network namespaces (bench/hosts.py): the API, Redis (a
redis-server of the measurement's own, broker and results), and two worker hosts, each
a ``celery worker`` with its default concurrency. Every task waits 50 ms, as a task
that waits on I/O does (bench/worker_app.py). Each worker host sees the same
``APP_DATA_DIR`` and ``APP_LOG_FILE``, a volume the hosts share: the project makes a
second delivery of a task harmless with its record in ``APP_DATA_DIR/sent``, which
must be shared for that to hold across hosts.

Throughput: a batch of tasks is sent through the API (a closed loop of 16
connections), and the rate is the tasks completed per second from the first request
to the last line written; with one worker host, then with both. Then the cut: a
larger batch, and once a third of its lines are written the second worker host's link
goes down. The other host completes every task, those the cut host had taken
included, once Redis's visibility timeout hands them back; each task's line must be
in the log exactly once, and Redis must be left with no message queued or unacked.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

import measure
import redis
from hosts import Hosts, require_network_namespaces
from projects import (
    BENCH_DIR,
    PACKAGE,
    SERVE_SCRIPT,
    Project,
    Server,
    environment,
    require_command,
    start_process,
    stop,
    wait_until,
)

WORKER_HOSTS = ("worker-1", "worker-2")
API_PORT = 8000
REDIS_PORT = 6379
CONNECTIONS = 16
READY_DEADLINE_SECONDS = 60.0
DRAIN_DEADLINE_SECONDS = 180.0
# Celery's record of a task message's arrival, as the project logs it.
RECEIVED = re.compile(r"Task [\w.]+\[([0-9a-f-]{36})\] received")


@dataclass(frozen=True)
class ScaleOutPlan:
    batch: int
    """Tasks sent in each throughput round."""
    rounds: int
    cut_batch: int
    task_seconds: float = 0.05
    visibility_timeout: float = 5.0


SCALE_OUT_FULL = ScaleOutPlan(batch=400, rounds=3, cut_batch=600)
SCALE_OUT_QUICK = ScaleOutPlan(batch=120, rounds=1, cut_batch=160)


def require_redis_server() -> str:
    return require_command(
        "redis-server",
        "measurement 8 (its Redis host)",
        "Debian and Ubuntu: apt-get install redis-server",
        "--skip-scale-out",
    )


@contextmanager
def redis_host(hosts: Hosts, run_dir: Path) -> Iterator[str]:
    """A redis-server on the Redis host, keeping nothing on disk; yield its URL."""
    address = hosts.address("redis")
    command = hosts.command("redis", require_redis_server())
    command += ["--bind", address, "--port", str(REDIS_PORT), "--save", ""]
    command += ["--appendonly", "no", "--protected-mode", "no", "--dir", str(run_dir)]
    process = start_process(command, run_dir, environment({}), run_dir / "redis.out")
    client = redis.Redis(host=address, port=REDIS_PORT, socket_timeout=1)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.exceptions.ConnectionError:
            return False

    try:
        wait_until(answers, f"redis-server on {address}", READY_DEADLINE_SECONDS)
        yield f"redis://{address}:{REDIS_PORT}"
    finally:
        client.close()
        stop(process)


def start_worker(
    project: Project,
    hosts: Hosts,
    name: str,
    plan: ScaleOutPlan,
    variables: dict[str, str],
    run_dir: Path,
) -> subprocess.Popen[bytes]:
    """Start ``celery worker`` on host ``name``; return it once it says it is ready."""
    env = environment(variables)
    env.update(
        PYTHONPATH=str(BENCH_DIR),
        BENCH_PACKAGE=PACKAGE,
        BENCH_TASK_SECONDS=str(plan.task_seconds),
        BENCH_VISIBILITY_TIMEOUT=str(plan.visibility_timeout),
    )
    command = hosts.command(
        name, str(project.python), "-m", "celery", "-A", "worker_app", "worker"
    )
    command += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
    command += ["-n", f"{name}@%h"]
    output = run_dir / f"{name}.out"
    process = start_process(command, run_dir, env, output)

    def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"the worker on {name} exited:\n{output.read_text()}")
        return " ready." in output.read_text(errors="replace")

    wait_until(ready, f"the worker on {name}", READY_DEADLINE_SECONDS)
    return process


def send_batch(server: Server, tag: str, tasks: int) -> int:
    """Send ``tasks`` notifications to ``<tag>-<i>@example.com``; the count accepted."""
    figures = measure.run_loadgen(
        "load",
        server,
        f"/send-notification/{tag}-{{i}}@example.com",
        concurrency=CONNECTIONS,
        requests=tasks,
    )
    return measure.accepted_requests(figures["statuses"])


def lines_of(server: Server, tag: str) -> Counter[str]:
    """How many lines the log holds for each recipient of batch ``tag``."""
    log = server.log_file
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    prefix = f"notification for {tag}-"
    return Counter(
        line.split(":")[0] for line in text.splitlines() if line.startswith(prefix)
    )


def wait_for_lines(server: Server, tag: str, count: int) -> None:
    wait_until(
        lambda: sum(lines_of(server, tag).values()) >= count,
        f"{count} lines of batch {tag}",
        DRAIN_DEADLINE_SECONDS,
    )


def throughput(server: Server, plan: ScaleOutPlan) -> dict[str, Any]:
    tag = f"rate-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    accepted = send_batch(server, tag, plan.batch)
    wait_for_lines(server, tag, accepted)
    seconds = time.monotonic() - started
    return {"accepted": accepted, "seconds": seconds, "tasks_per_s": accepted / seconds}


def cut_mid_run(
    server: Server, hosts: Hosts, broker: redis.Redis, plan: ScaleOutPlan
) -> dict[str, Any]:
    """Cut the second worker host off once a third of a batch is done; check that
    every task of the batch then completes, once."""
    tag = f"cut-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    accepted = send_batch(server, tag, plan.cut_batch)
    wait_for_lines(server, tag, accepted // 3)
    hosts.cut_off(WORKER_HOSTS[1])
    cut_at = time.monotonic()
    done_at_cut = sum(lines_of(server, tag).values())
    wait_for_lines(server, tag, accepted)
    done_at = time.monotonic()

    # Nothing may come again once Redis holds no message queued or unacknowledged.
    def settled() -> bool:
        queued = sum(broker.llen(key) for key in broker.keys("bench-scale-out*"))
        return queued == 0 and broker.zcard("unacked_index") == 0

    wait_until(settled, "no message queued or unacknowledged", DRAIN_DEADLINE_SECONDS)
    settled_at = time.monotonic()
    lines = lines_of(server, tag)
    batch = range(plan.cut_batch)
    expected = {f"notification for {tag}-{i}@example.com" for i in batch}
    return {
        "accepted": accepted,
        "completed_before_cut": done_at_cut,
        "distinct_tasks_completed": len(lines),
        "missing": len(expected - set(lines)),
        "written_more_than_once": sum(1 for count in lines.values() if count > 1),
        "lines": sum(lines.values()),
        "seconds_from_cut_to_last_line": done_at - cut_at,
        "seconds_from_cut_to_settled": settled_at - cut_at,
        "seconds_in_all": done_at - started,
    }


def tasks_delivered_twice(run_dir: Path) -> int:
    """The tasks that the workers' logs show arriving more than once: those Redis
    handed back after their host was cut off, whoever ran them first."""
    received: Counter[str] = Counter()
    for name in WORKER_HOSTS:
        text = (run_dir / f"{name}.out").read_text(encoding="utf-8", errors="replace")
        received.update(RECEIVED.findall(text))
    return sum(1 for count in received.values() if count > 1)


def measure_scale_out(
    project: Project, plan: ScaleOutPlan, run_dir: Path
) -> dict[str, Any]:
    """Tasks/s on one worker host and on two, then a host cut off mid-run."""
    require_network_namespaces()
    run_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        hosts = stack.enter_context(Hosts("api", "redis", *WORKER_HOSTS))
        redis_url = stack.enter_context(redis_host(hosts, run_dir))
        variables = {
            "CELERY_BROKER_URL": f"{redis_url}/0",
            "CELERY_RESULT_BACKEND": f"{redis_url}/1",
            "APP_TASK_QUEUE": "bench-scale-out",
            "APP_DATA_DIR": str(run_dir / "shared-data"),
            "APP_LOG_FILE": str(run_dir / "shared-log.txt"),
        }
        api = hosts.address("api")
        command = hosts.command("api", str(project.python), str(SERVE_SCRIPT))
        command += ["--package", PACKAGE, "--bind", f"{api}:{API_PORT}"]
        output = run_dir / "api.out"
        process = start_process(command, run_dir, environment(variables), output)
        stack.callback(stop, process)
        server = Server(API_PORT, process, run_dir / "shared-log.txt", output, api)
        wait_until(server.answers_health, "GET /health", READY_DEADLINE_SECONDS)
        broker = redis.Redis.from_url(f"{redis_url}/0", socket_timeout=5)
        stack.callback(broker.close)

        rates: dict[str, list[dict[str, Any]]] = {}
        workers = []
        for count, name in enumerate(WORKER_HOSTS, start=1):
            workers.append(start_worker(project, hosts, name, plan, variables, run_dir))
            stack.callback(stop, workers[-1])
            rates[str(count)] = [throughput(server, plan) for _ in range(plan.rounds)]
        cut = cut_mid_run(server, hosts, broker, plan)
        # The host cut off would wait on Redis to shut down warmly: it is killed.
        os.killpg(workers[-1].pid, signal.SIGKILL)
        workers[-1].wait()
        cut["delivered_twice"] = tasks_delivered_twice(run_dir)

    per_hosts = {
        count: {
            "tasks_per_s": median(run["tasks_per_s"] for run in runs),
            "runs": runs,
        }
        for count, runs in rates.items()
    }
    return {
        "plan": plan.__dict__,
        "worker_hosts": per_hosts,
        "speedup": per_hosts["2"]["tasks_per_s"] / per_hosts["1"]["tasks_per_s"],
        "cut": cut,
    }
