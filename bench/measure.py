"""The measurements. Each returns plain data, ready for results.json.

Every timing that is repeated is reported as the median of its repetitions (this
machine is shared and noisy), with the repetitions kept beside it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from types import TracebackType
from typing import Any

import cookiecutter.hooks
import psutil
from projects import (
    BENCH_DIR,
    PATTERNS,
    TEMPLATE_DIR,
    Broker,
    Project,
    Server,
    bake,
    celery_stack,
    holds_within,
    serving,
)

LOADGEN_SCRIPT = BENCH_DIR / "loadgen.py"
ONE_FILE_TEMPLATE = BENCH_DIR / "one_file_template"

THREAD_POOL_SIZE = 40
"""Threads anyio gives FastAPI's sync background tasks, by default: one-second tasks
run about 40 a second."""


@dataclass(frozen=True)
class Plan:
    """How much of everything to do: FULL for the report, QUICK while developing."""

    bake_rounds: int
    concurrency: int
    load_warmup: int
    load_requests: int
    load_repeats: int
    slow_task_seconds: float
    slow_drain_seconds: float
    """The slow-task runs send as many requests as their tasks take this long to
    drain, at THREAD_POOL_SIZE tasks at a time."""
    slow_repeats: int
    follow_warmup: int
    follow_tasks: int
    follow_repeats: int
    overload_bound: int
    overload_task_seconds: float
    overload_concurrency: int
    overload_requests: int
    drain_deadline_seconds: float = 120.0


FULL = Plan(
    bake_rounds=15,
    concurrency=32,
    load_warmup=300,
    load_requests=3000,
    load_repeats=3,
    slow_task_seconds=1.0,
    slow_drain_seconds=12.5,
    slow_repeats=3,
    follow_warmup=10,
    follow_tasks=200,
    follow_repeats=3,
    overload_bound=50,
    overload_task_seconds=0.5,
    overload_concurrency=64,
    overload_requests=5000,
)
QUICK = Plan(
    bake_rounds=3,
    concurrency=32,
    load_warmup=100,
    load_requests=500,
    load_repeats=1,
    slow_task_seconds=1.0,
    slow_drain_seconds=2.5,
    slow_repeats=1,
    follow_warmup=5,
    follow_tasks=30,
    follow_repeats=1,
    overload_bound=50,
    overload_task_seconds=0.5,
    overload_concurrency=64,
    overload_requests=1000,
)


@dataclass(frozen=True)
class Endpoint:
    path: str
    """The request target; ``{i}`` becomes the request's number."""
    lines_per_request: int
    """The log lines an accepted request's tasks write."""


BASELINE = Endpoint("/bare/user-{i}@example.com", 0)
NOTIFICATION = Endpoint("/send-notification/user-{i}@example.com", 1)
# With a query, the dependency schedules a line of its own before the endpoint's.
NOTIFICATION_WITH_QUERY = Endpoint("/send-notification/user-{i}@example.com?q=hello", 2)
IN_PROCESS_ENDPOINTS = {
    "add_task": NOTIFICATION,
    "dependency_injected": NOTIFICATION_WITH_QUERY,
}


def run_loadgen(mode: str, server: Server, path: str, **options: int) -> dict[str, Any]:
    """Run bench/loadgen.py in a process of its own against ``server``."""
    command = [sys.executable, str(LOADGEN_SCRIPT), mode, "--host", server.host]
    command += ["--port", str(server.port), "--path", path]
    for name, value in options.items():
        command += [f"--{name}", str(value)]
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=900
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr}")
    figures: dict[str, Any] = json.loads(result.stdout)
    return figures


def accepted_requests(statuses: dict[str, int]) -> int:
    return sum(count for status, count in statuses.items() if status.startswith("2"))


class LineLedger:
    """The lines a server's tasks owe, from the requests it accepted."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.expected = 0

    def owe(self, lines: int) -> None:
        self.expected += lines

    def record(self, figures: dict[str, Any], endpoint: Endpoint) -> None:
        """Owe the lines of the requests a load run got accepted, warm-up included."""
        accepted = accepted_requests(figures["statuses"])
        accepted += accepted_requests(figures.get("warmup_statuses", {}))
        self.owe(accepted * endpoint.lines_per_request)

    def wait_until_written(self, deadline_seconds: float) -> dict[str, Any]:
        """Poll the log until every owed line is there; report how long it took."""
        started = time.monotonic()
        holds_within(
            lambda: self.server.lines_written() >= self.expected, deadline_seconds
        )
        return {
            "tasks_accepted": self.expected,
            "tasks_completed": self.server.lines_written(),
            "drain_s": time.monotonic() - started,
        }


def load(
    server: Server, endpoint: Endpoint, concurrency: int, warmup: int, requests: int
) -> dict[str, Any]:
    figures = run_loadgen(
        "load",
        server,
        endpoint.path,
        concurrency=concurrency,
        warmup=warmup,
        requests=requests,
    )
    figures["accepted_per_s"] = (
        accepted_requests(figures["statuses"]) / figures["duration_s"]
    )
    return figures


def summarize_load(runs: list[dict[str, Any]]) -> dict[str, Any]:
    statuses: Counter[str] = Counter()
    for run in runs:
        statuses.update(run["statuses"])
    return {
        "requests_per_s": median([run["requests_per_s"] for run in runs]),
        "accepted_per_s": median([run["accepted_per_s"] for run in runs]),
        "latency_p50_ms": median([run["latency_p50_ms"] for run in runs]),
        "latency_p99_ms": median([run["latency_p99_ms"] for run in runs]),
        "statuses": dict(statuses),
        "runs": runs,
    }


@contextmanager
def hook_output_silenced() -> Iterator[None]:
    """Send what the template's hooks print (to file descriptor 1) to /dev/null."""
    sys.stdout.flush()
    saved_stdout = os.dup(1)
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 1)
    try:
        yield
    finally:
        os.dup2(saved_stdout, 1)
        os.close(saved_stdout)


@contextmanager
def hook_scripts_timed() -> Iterator[list[float]]:
    """Record how long each hook script that cookiecutter runs takes (each is a
    Python process of its own), in the list this yields."""
    seconds: list[float] = []
    run_script = cookiecutter.hooks.run_script

    def run_script_timed(script_path: str, cwd: Path | str = ".") -> None:
        started = time.perf_counter()
        try:
            run_script(script_path, cwd)
        finally:
            seconds.append(time.perf_counter() - started)

    cookiecutter.hooks.run_script = run_script_timed
    try:
        yield seconds
    finally:
        cookiecutter.hooks.run_script = run_script


def measure_bake_times(rounds: int, output_root: Path) -> dict[str, Any]:
    """Bake the one-file template and each pattern, in turns, ``rounds`` times.

    One round more goes first and is not counted: it imports what cookiecutter loads
    lazily and fills the file system's caches. The time the hooks take is recorded
    too, to tell their share from the rendering's.
    """
    subjects: dict[str, tuple[Path, dict[str, str]]] = {
        "one_file": (ONE_FILE_TEMPLATE, {}),
        **{pattern: (TEMPLATE_DIR, {"task_pattern": pattern}) for pattern in PATTERNS},
    }
    seconds: dict[str, list[float]] = {name: [] for name in subjects}
    hook_seconds: dict[str, list[float]] = {name: [] for name in subjects}
    with hook_output_silenced():
        for round_number in range(rounds + 1):
            for name, (template, answers) in subjects.items():
                with hook_scripts_timed() as hooks:
                    started = time.perf_counter()
                    bake(template, output_root / f"{name}-{round_number}", **answers)
                    elapsed = time.perf_counter() - started
                if round_number > 0:
                    seconds[name].append(elapsed)
                    hook_seconds[name].append(sum(hooks))
    one_file = median(seconds["one_file"])
    return {
        "rounds": rounds,
        "one_file": {"median_s": one_file, "samples_s": seconds["one_file"]},
        "patterns": {
            pattern: {
                "median_s": median(seconds[pattern]),
                "ratio_to_one_file": median(seconds[pattern]) / one_file,
                "hooks_median_s": median(hook_seconds[pattern]),
                "without_hooks_median_s": median(
                    [
                        total - hooks
                        for total, hooks in zip(
                            seconds[pattern], hook_seconds[pattern], strict=True
                        )
                    ]
                ),
                "samples_s": seconds[pattern],
            }
            for pattern in PATTERNS
        },
    }


def measure_in_process(
    projects: dict[str, Project], plan: Plan, runs_dir: Path
) -> dict[str, Any]:
    """Load on the baseline and on the two in-process patterns, in turns; then the
    same patterns with every task slow, each beside a fast run of the same load."""
    with (
        serving(
            projects["add_task"], runs_dir / "add_task", bare_route=True
        ) as add_task_server,
        serving(
            projects["dependency_injected"], runs_dir / "dependency_injected"
        ) as dependency_injected_server,
    ):
        ledgers = {
            "add_task": LineLedger(add_task_server),
            "dependency_injected": LineLedger(dependency_injected_server),
        }
        subjects = {
            "baseline": (ledgers["add_task"], BASELINE),
            "add_task": (ledgers["add_task"], NOTIFICATION),
            "dependency_injected": (
                ledgers["dependency_injected"],
                NOTIFICATION_WITH_QUERY,
            ),
        }
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in subjects}
        for _ in range(plan.load_repeats):
            for name, (ledger, endpoint) in subjects.items():
                figures = load(
                    ledger.server,
                    endpoint,
                    plan.concurrency,
                    plan.load_warmup,
                    plan.load_requests,
                )
                ledger.record(figures, endpoint)
                runs[name].append(figures)
        throughput = {name: summarize_load(runs[name]) for name in subjects}
        for pattern, ledger in ledgers.items():
            throughput[pattern]["tasks"] = ledger.wait_until_written(
                plan.drain_deadline_seconds
            )

        slow_tasks = {
            pattern: measure_slow_tasks(
                projects[pattern], ledgers[pattern], plan, runs_dir / f"{pattern}-slow"
            )
            for pattern in IN_PROCESS_ENDPOINTS
        }
    return {"load": throughput, "slow_tasks": slow_tasks}


def measure_slow_tasks(
    project: Project, fast_ledger: LineLedger, plan: Plan, run_dir: Path
) -> dict[str, Any]:
    """The same load on the fast app and on one whose every task takes
    ``slow_task_seconds``; after each slow run, wait until its tasks are done."""
    endpoint = IN_PROCESS_ENDPOINTS[project.pattern]
    # One task per line; a request's tasks run one after another, in one thread.
    task_seconds_per_request = plan.slow_task_seconds * endpoint.lines_per_request
    total_requests = round(
        plan.slow_drain_seconds * THREAD_POOL_SIZE / task_seconds_per_request
    )
    warmup = total_requests // 5
    requests = total_requests - warmup
    fast_runs, slow_runs, drains = [], [], []
    with serving(project, run_dir, task_seconds=plan.slow_task_seconds) as slow_server:
        slow_ledger = LineLedger(slow_server)
        for _ in range(plan.slow_repeats):
            fast = load(
                fast_ledger.server, endpoint, plan.concurrency, warmup, requests
            )
            fast_ledger.record(fast, endpoint)
            fast_runs.append(fast)
            slow = load(slow_server, endpoint, plan.concurrency, warmup, requests)
            slow_ledger.record(slow, endpoint)
            slow_runs.append(slow)
            drains.append(slow_ledger.wait_until_written(plan.drain_deadline_seconds))
    fast_tasks = fast_ledger.wait_until_written(plan.drain_deadline_seconds)
    fast_summary, slow_summary = summarize_load(fast_runs), summarize_load(slow_runs)
    return {
        "task_seconds": plan.slow_task_seconds,
        "warmup_requests": warmup,
        "requests": requests,
        "fast": fast_summary,
        "slow": slow_summary,
        "p99_ratio_slow_to_fast": slow_summary["latency_p99_ms"]
        / fast_summary["latency_p99_ms"],
        "drains": drains,
        "fast_app_tasks": fast_tasks,
        "tasks_accepted": drains[-1]["tasks_accepted"],
        "tasks_completed": drains[-1]["tasks_completed"],
    }


def measure_celery(
    project: Project, broker: Broker, plan: Plan, run_dir: Path
) -> dict[str, Any]:
    """End to end, one task at a time, then load, on the API with a worker beside it."""
    with celery_stack(project, broker, run_dir) as stack:
        ledger = LineLedger(stack.server)
        started = time.monotonic()
        # The first task waits for the worker to be up (loadgen polls with a deadline).
        first = run_loadgen("follow", stack.server, NOTIFICATION.path, tasks=1)
        first_task_s = time.monotonic() - started
        ledger.owe(first["tasks"])
        follow_runs = []
        for _ in range(plan.follow_repeats):
            follow = run_loadgen(
                "follow",
                stack.server,
                NOTIFICATION.path,
                tasks=plan.follow_tasks,
                warmup=plan.follow_warmup,
            )
            ledger.owe(follow["tasks"] + follow["warmup_tasks"])
            follow_runs.append(follow)
        load_runs = []
        for _ in range(plan.load_repeats):
            figures = load(
                stack.server,
                NOTIFICATION,
                plan.concurrency,
                plan.load_warmup,
                plan.load_requests,
            )
            ledger.record(figures, NOTIFICATION)
            load_runs.append(figures)
        tasks = ledger.wait_until_written(plan.drain_deadline_seconds)
    end_to_end = {
        name: median([run[name] for run in follow_runs])
        for name in (
            "end_to_end_p50_ms",
            "end_to_end_p99_ms",
            "enqueue_p50_ms",
            "enqueue_p99_ms",
        )
    }
    return {
        "first_task_with_worker_start_s": first_task_s,
        "end_to_end": {**end_to_end, "runs": follow_runs},
        "load": {**summarize_load(load_runs), "tasks": tasks},
    }


class RssSampler:
    """Samples a process's resident memory in a thread, every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.01) -> None:
        self._process = psutil.Process(pid)
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._started = time.monotonic()
        self.samples: list[tuple[float, int]] = []
        """(seconds since the start, bytes)"""

    def _sample(self) -> None:
        while True:
            try:
                rss = self._process.memory_info().rss
            except psutil.NoSuchProcess:  # killed: nothing more to sample
                return
            self.samples.append((time.monotonic() - self._started, rss))
            if self._stop.wait(self._interval):
                return

    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()


UNBOUNDED = 1_000_000
"""A bound the overload never reaches: the contrast run, without the protection."""


def measure_overload(project: Project, plan: Plan, run_dir: Path) -> dict[str, Any]:
    """The overload with the bound, then the same without it, for contrast."""
    return {
        "bounded": measure_overload_with(
            project, plan, run_dir / "bounded", plan.overload_bound
        ),
        "unbounded": measure_overload_with(
            project, plan, run_dir / "unbounded", UNBOUNDED
        ),
    }


def measure_overload_with(
    project: Project, plan: Plan, run_dir: Path, bound: int
) -> dict[str, Any]:
    """Far more requests than slow tasks can drain, against a pending bound: what is
    accepted, what is turned away, and what the process's memory does.

    With the bound, the driver then waits until every accepted task has written its
    line. Without it, the backlog would take minutes to drain: the server is killed
    once the load is over, losing what is pending, as an out-of-memory kill would.
    """
    endpoint = IN_PROCESS_ENDPOINTS[project.pattern]
    variables = {"APP_MAX_PENDING_REQUESTS": str(bound)}
    with serving(
        project, run_dir, variables, task_seconds=plan.overload_task_seconds
    ) as server:
        ledger = LineLedger(server)
        with RssSampler(server.process.pid) as sampler:
            figures = load(
                server,
                endpoint,
                plan.overload_concurrency,
                0,
                plan.overload_requests,
            )
            load_ended_s = sampler.elapsed()
            pending_at_load_end: int = server.readiness()["pending_requests"]
            ledger.record(figures, endpoint)
            if bound == UNBOUNDED:
                tasks = None
                backlog_emptied = False
                server.process.kill()
            else:
                tasks = ledger.wait_until_written(plan.drain_deadline_seconds)
                backlog_emptied = holds_within(
                    lambda: server.readiness()["pending_requests"] == 0,
                    plan.drain_deadline_seconds,
                )
        rss_mib = [(seconds, rss / 2**20) for seconds, rss in sampler.samples]
    return {
        "bound": None if bound == UNBOUNDED else bound,
        "task_seconds": plan.overload_task_seconds,
        "concurrency": plan.overload_concurrency,
        "requests": plan.overload_requests,
        "accepted": accepted_requests(figures["statuses"]),
        "rejected_503": figures["statuses"].get("503", 0),
        "statuses": figures["statuses"],
        "rejections_without_retry_after": figures["rejections_without_retry_after"],
        "pending_at_load_end": pending_at_load_end,
        "pending_requests_fell_to_0": backlog_emptied,
        "tasks": tasks,
        "load": figures,
        "load_ended_s": load_ended_s,
        "rss_start_mib": rss_mib[0][1],
        "rss_peak_mib": max(rss for _, rss in rss_mib),
        "rss_end_mib": rss_mib[-1][1],
        "rss_mib_over_time": rss_mib,
    }


def measure_test_suite() -> dict[str, Any]:
    """The README's test command, with this interpreter, timed once."""
    command = [sys.executable, "-m", "pytest"]
    started = time.perf_counter()
    result = subprocess.run(
        command,
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    seconds = time.perf_counter() - started
    lines = result.stdout.strip().splitlines()
    return {
        "command": "python -m pytest",
        "seconds": seconds,
        "exit_code": result.returncode,
        "summary": lines[-1].strip("= ") if lines else "",
        "output_tail": lines[-40:] if result.returncode != 0 else [],
    }
