"""Measurement 7: each pattern beside the code a user would write by hand instead.

The peers are in ``bench/peer_apps/``: FastAPI's two tutorial examples of background
tasks for the in-process patterns, and a minimal FastAPI + Celery app for the celery
pattern. Each peer runs in the same venv as its pattern (same FastAPI, uvicorn,
Celery), with the same uvicorn defaults and the same ``celery worker`` command. The
load is wrk's (a C client: it leaves the server more of the two cores than a Python
one), 32 connections for 10 s, the pattern and its peer taking turns, five rounds.

In-process, per round: requests/s and 2xx/s, p50 and p99, and the lines the tasks
wrote while the load lasted (tasks completed per second), then the time until every
accepted request's lines are written. The server's RSS is sampled all along: idle is
after a warm-up, once its tasks have run.

Celery, on Redis and on RabbitMQ, per round: requests/s, p50 and p99 under load, the
time the worker takes to drain its backlog after the load, and one task at a time
(bench/loadgen.py's ``follow``): the POST's p50 and the p50 from the POST to reading
SUCCESS.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

import measure
import psutil
from projects import (
    BENCH_DIR,
    PACKAGE,
    Broker,
    Project,
    Server,
    delete_queue_and_results,
    environment,
    redis_databases_emptied,
    require_command,
    run_checked,
    serve_script,
    serving,
    start_process,
    stop,
    wait_until,
)

PEER_APPS = BENCH_DIR / "peer_apps"
DRAIN_DEADLINE_SECONDS = 300.0
RSS_SAMPLE_SECONDS = 0.02

# Redis databases of the peers' measurement: checked empty before, emptied after, so
# that every key either peer's results leave behind can be removed.
REDIS_BROKER = "redis://127.0.0.1:6379/6"
REDIS_RESULTS = "redis://127.0.0.1:6379/7"
REDIS_DATABASES = (REDIS_BROKER, REDIS_RESULTS)
SKIP_HINT = "pass --skip-peers"
RABBITMQ_BROKER = "amqp://guest:guest@127.0.0.1:5672//"


@dataclass(frozen=True)
class PeerPlan:
    rounds: int
    seconds: int
    connections: int
    warmup_requests: int
    follow_tasks: int


PEERS_FULL = PeerPlan(
    rounds=5, seconds=10, connections=32, warmup_requests=300, follow_tasks=200
)
PEERS_QUICK = PeerPlan(
    rounds=1, seconds=3, connections=32, warmup_requests=100, follow_tasks=30
)

WRK_SCRIPT = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("POST", string.format("%s", counter))
end
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "non_2xx": %%d, "socket_errors": %%d,'
    .. ' "p50_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def require_wrk() -> str:
    return require_command(
        "wrk",
        "measurement 7",
        "Debian and Ubuntu: apt-get install wrk; macOS: brew install wrk",
        "--skip-peers",
    )


def run_wrk(port: int, path: str, plan: PeerPlan, run_dir: Path) -> dict[str, Any]:
    """Load ``path`` (``%d`` becomes the request's number) with wrk; its figures."""
    script = run_dir / f"wrk-{uuid.uuid4().hex}.lua"
    script.write_text(WRK_SCRIPT % path.replace("{i}", "%d"), encoding="utf-8")
    command = [require_wrk(), "-t1", f"-c{plan.connections}", f"-d{plan.seconds}s"]
    command += ["--timeout", "30s", "-s", str(script), f"http://127.0.0.1:{port}"]
    output = run_checked(*command)
    figures: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    seconds = figures["duration_us"] / 1e6
    accepted = figures["requests"] - figures["non_2xx"]
    return {
        "requests": figures["requests"],
        "accepted": accepted,
        "rejected": figures["non_2xx"],
        "socket_errors": figures["socket_errors"],
        "duration_s": seconds,
        "requests_per_s": figures["requests"] / seconds,
        "accepted_per_s": accepted / seconds,
        "latency_p50_ms": figures["p50_us"] / 1000,
        "latency_p99_ms": figures["p99_us"] / 1000,
    }


class RssSampler:
    """Samples a process's resident memory in a thread until stopped."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(RSS_SAMPLE_SECONDS):
            try:
                self.peak = max(self.peak, self.process.memory_info().rss)
            except psutil.NoSuchProcess:
                return

    def now(self) -> int:
        rss: int = self.process.memory_info().rss
        return rss

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass(frozen=True)
class InProcessSubject:
    name: str
    server: Server
    path: str
    lines_per_request: int


def serving_peer(
    python: Path, app: str, run_dir: Path, variables: dict[str, str]
) -> AbstractContextManager[Server]:
    """Serve ``bench/peer_apps/<app>`` with bench/serve.py, as the projects are
    served: one uvicorn process, uvicorn's defaults, access log off."""
    arguments = ["--app", app, "--app-dir", str(PEER_APPS)]
    return serve_script(python, arguments, run_dir, variables)


def wait_for_lines(server: Server, expected: int) -> float:
    """Seconds until the log holds ``expected`` lines (TimeoutError at the deadline)."""
    started = time.monotonic()
    wait_until(
        lambda: server.lines_written() >= expected,
        f"{expected} lines in {server.log_file}",
        DRAIN_DEADLINE_SECONDS,
    )
    return time.monotonic() - started


def load_in_process(
    subject: InProcessSubject, sampler: RssSampler, plan: PeerPlan, run_dir: Path
) -> dict[str, Any]:
    before = subject.server.lines_written()
    figures = run_wrk(subject.server.port, subject.path, plan, run_dir)
    during = subject.server.lines_written() - before
    rss_at_end = sampler.now()
    owed = before + figures["accepted"] * subject.lines_per_request
    figures["drain_s"] = wait_for_lines(subject.server, owed)
    figures.update(
        lines_during_load=during,
        tasks_per_s_during_load=during / figures["duration_s"],
        rss_at_end_of_load_mib=rss_at_end / 2**20,
        tasks_completed=subject.server.lines_written() - before,
        tasks_owed=owed - before,
    )
    return figures


def warm_up(subject: InProcessSubject, plan: PeerPlan) -> None:
    before = subject.server.lines_written()
    figures = measure.run_loadgen(
        "load",
        subject.server,
        subject.path,
        concurrency=plan.connections,
        requests=plan.warmup_requests,
    )
    accepted = measure.accepted_requests(figures["statuses"])
    wait_for_lines(subject.server, before + accepted * subject.lines_per_request)


def summarize(runs: list[dict[str, Any]], keys: list[str]) -> dict[str, Any]:
    summary: dict[str, Any] = {key: median(run[key] for run in runs) for key in keys}
    summary["runs"] = runs
    return summary


IN_PROCESS_PAIRS = {
    # pattern: (its peer, the path both serve, lines per request)
    "add_task": ("tutorial_app:app", "/send-notification/user-{i}@example.com", 1),
    "dependency_injected": (
        "tutorial_dependencies_app:app",
        "/send-notification/user-{i}@example.com?q=hello",
        2,
    ),
}
IN_PROCESS_KEYS = [
    "requests_per_s",
    "accepted_per_s",
    "latency_p50_ms",
    "latency_p99_ms",
    "tasks_per_s_during_load",
    "drain_s",
]


def measure_in_process_peers(
    project: Project, plan: PeerPlan, run_dir: Path
) -> dict[str, Any]:
    """The pattern and its tutorial peer, in turns, under the same wrk load."""
    peer_app, path, lines = IN_PROCESS_PAIRS[project.pattern]
    with ExitStack() as stack:
        subjects = [
            InProcessSubject(
                "pattern",
                stack.enter_context(serving(project, run_dir / "pattern")),
                path,
                lines,
            ),
            InProcessSubject(
                "peer",
                stack.enter_context(
                    serving_peer(project.python, peer_app, run_dir / "peer", {})
                ),
                path,
                lines,
            ),
        ]
        samplers, idle = {}, {}
        for subject in subjects:
            warm_up(subject, plan)
            sampler = stack.enter_context(RssSampler(subject.server.process.pid))
            samplers[subject.name], idle[subject.name] = sampler, sampler.now()
        runs: dict[str, list[dict[str, Any]]] = {"pattern": [], "peer": []}
        for _ in range(plan.rounds):
            for subject in subjects:
                figures = load_in_process(
                    subject, samplers[subject.name], plan, run_dir
                )
                runs[subject.name].append(figures)
        result: dict[str, Any] = {"peer_app": peer_app, "path": path}
        for subject in subjects:
            summary = summarize(runs[subject.name], IN_PROCESS_KEYS)
            summary["rss_idle_mib"] = idle[subject.name] / 2**20
            summary["rss_peak_mib"] = samplers[subject.name].peak / 2**20
            summary["tasks_completed"] = sum(
                run["tasks_completed"] for run in runs[subject.name]
            )
            summary["tasks_owed"] = sum(run["tasks_owed"] for run in runs[subject.name])
            summary["rejected"] = sum(run["rejected"] for run in runs[subject.name])
            result[subject.name] = summary
    return result


# Both stacks get the same result backend: Redis, or result files on RabbitMQ (the
# project's default there), each stack in a folder of its own (celery_subject).
CELERY_BROKERS = (
    Broker(
        "redis",
        {"CELERY_BROKER_URL": REDIS_BROKER, "CELERY_RESULT_BACKEND": REDIS_RESULTS},
    ),
    Broker("rabbitmq", {"CELERY_BROKER_URL": RABBITMQ_BROKER}),
)


@contextmanager
def celery_subject(
    project: Project, peer: bool, broker: Broker, run_dir: Path
) -> Iterator[Server]:
    """The API and a worker beside it, for the project or its peer, on ``broker``,
    with a queue of their own that is deleted afterwards."""
    run_dir.mkdir(parents=True, exist_ok=True)
    queue = f"bench-{uuid.uuid4().hex}"
    variables = {"APP_TASK_QUEUE": queue, "APP_DATA_DIR": str(run_dir / "data")}
    variables.update(broker.variables)
    if "CELERY_RESULT_BACKEND" not in variables:
        results = run_dir / "data" / "results"
        results.mkdir(parents=True)
        variables["CELERY_RESULT_BACKEND"] = f"file://{results.as_posix()}"
    env = environment({"APP_LOG_FILE": str(run_dir / "log.txt"), **variables})
    celery_app = "minimal_celery_app.celery_app" if peer else f"{PACKAGE}.worker"
    worker = [str(project.python), "-m", "celery", "-A", celery_app, "worker"]
    worker += ["--loglevel", "WARNING", "--without-mingle", "--without-gossip"]
    # A node name of its own: on RabbitMQ two workers of one name share a queue
    # that only one may hold.
    worker += ["--without-heartbeat", "-n", f"{queue}@%h"]
    if peer:
        env["PYTHONPATH"] = str(PEER_APPS)
    with ExitStack() as cleanup:
        cleanup.callback(
            delete_queue_and_results, project, broker, queue, run_dir / "data" / "sent"
        )
        process = start_process(worker, run_dir, env, run_dir / "worker.out")
        cleanup.callback(stop, process)
        if peer:
            server = cleanup.enter_context(
                serving_peer(
                    project.python, "minimal_celery_app:app", run_dir, variables
                )
            )
        else:
            server = cleanup.enter_context(serving(project, run_dir, variables))
        yield server


def follow(server: Server, tasks: int) -> dict[str, Any]:
    """One task at a time: loadgen's ``follow`` mode, after 10 warm-up tasks."""
    path = "/send-notification/follow-{i}@example.com"
    return measure.run_loadgen("follow", server, path, warmup=10, tasks=tasks)


CELERY_KEYS = [
    "requests_per_s",
    "latency_p50_ms",
    "latency_p99_ms",
    "drain_s",
    "post_p50_ms",
    "post_to_success_p50_ms",
]


def load_celery(server: Server, plan: PeerPlan, run_dir: Path) -> dict[str, Any]:
    before = server.lines_written()
    figures = run_wrk(
        server.port, "/send-notification/user-{i}@example.com", plan, run_dir
    )
    figures["drain_s"] = wait_for_lines(server, before + figures["accepted"])
    followed = follow(server, plan.follow_tasks)
    figures["post_p50_ms"] = followed["enqueue_p50_ms"]
    figures["post_to_success_p50_ms"] = followed["end_to_end_p50_ms"]
    figures["follow"] = followed
    return figures


def measure_celery_peers(
    project: Project, plan: PeerPlan, run_dir: Path
) -> dict[str, Any]:
    """The celery pattern and the minimal app, in turns, on Redis and on RabbitMQ."""
    results: dict[str, Any] = {}
    with redis_databases_emptied(REDIS_DATABASES, SKIP_HINT):
        for broker in CELERY_BROKERS:
            with ExitStack() as stack:
                servers = {
                    name: stack.enter_context(
                        celery_subject(
                            project,
                            name == "peer",
                            broker,
                            run_dir / f"celery-{broker.name}-{name}",
                        )
                    )
                    for name in ("pattern", "peer")
                }
                for server in servers.values():  # the first task waits for the worker
                    follow(server, tasks=5)
                runs: dict[str, list[dict[str, Any]]] = {"pattern": [], "peer": []}
                for _ in range(plan.rounds):
                    for name, server in servers.items():
                        runs[name].append(load_celery(server, plan, run_dir))
                results[broker.name] = {
                    name: summarize(runs[name], CELERY_KEYS) for name in runs
                }
    return results
