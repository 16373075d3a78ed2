"""Baked projects, their virtual environments, and the processes that serve them.

Each pattern is baked once, with the default answers, and installed once into a uv
venv of its own; every measurement then starts servers and workers from those.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from cookiecutter.main import cookiecutter
from uv import find_uv_bin

BENCH_DIR = Path(__file__).resolve().parent
TEMPLATE_DIR = BENCH_DIR.parent
SERVE_SCRIPT = BENCH_DIR / "serve.py"
CLEAN_BROKER_SCRIPT = BENCH_DIR / "clean_broker.py"
PATTERNS: list[str] = json.loads(
    (TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8")
)["task_pattern"]
PACKAGE = "background_tasks_app"
"""The import name the default answers give."""

START_DEADLINE_SECONDS = 60.0
STOP_DEADLINE_SECONDS = 30.0
POLL_INTERVAL_SECONDS = 0.02


def require_command(name: str, needed_by: str, install: str, skip_flag: str) -> str:
    """The path of command ``name``; SystemExit, saying how to get it, where it is
    missing."""
    found = shutil.which(name)
    if found is None:
        raise SystemExit(
            f"{needed_by} needs {name}: install it ({install}) or pass {skip_flag}"
        )
    return found


def holds_within(condition: Callable[[], bool], deadline_seconds: float) -> bool:
    """Poll ``condition`` until it holds (True) or ``deadline_seconds`` pass (False)."""
    deadline = time.monotonic() + deadline_seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL_INTERVAL_SECONDS)
    return True


def wait_until(
    condition: Callable[[], bool], what: str, deadline_seconds: float
) -> None:
    """Poll ``condition`` until it holds; raise TimeoutError past the deadline."""
    if not holds_within(condition, deadline_seconds):
        raise TimeoutError(f"gave up after {deadline_seconds} s waiting for {what}")


@contextmanager
def private_cookiecutter_config(directory: Path) -> Iterator[None]:
    """Keep cookiecutter's replay files out of the user's home while baking."""
    config = directory / "cookiecutter-config.yaml"
    config.write_text(
        f"replay_dir: {json.dumps(str(directory / 'replay'))}\n"
        f"cookiecutters_dir: {json.dumps(str(directory / 'clones'))}\n",
        encoding="utf-8",
    )
    previous = os.environ.get("COOKIECUTTER_CONFIG")
    os.environ["COOKIECUTTER_CONFIG"] = str(config)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["COOKIECUTTER_CONFIG"]
        else:
            os.environ["COOKIECUTTER_CONFIG"] = previous


def bake(template: Path, output_dir: Path, **answers: str) -> Path:
    """Generate a project from ``template`` with the defaults and ``answers``."""
    return Path(
        cookiecutter(
            str(template),
            no_input=True,
            extra_context=answers,
            output_dir=str(output_dir),
        )
    )


@dataclass(frozen=True)
class Project:
    pattern: str
    directory: Path
    python: Path
    """The interpreter of the venv the project is installed in."""


def run_checked(*command: str | Path) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, command))} failed:\n{result.stdout}{result.stderr}"
        )
    return result.stdout


def install_project(pattern: str, workdir: Path) -> Project:
    """Bake ``pattern`` and install it into a venv of its own, on this Python."""
    directory = bake(TEMPLATE_DIR, workdir / "projects" / pattern, task_pattern=pattern)
    venv = workdir / "venvs" / pattern
    uv = find_uv_bin()
    run_checked(uv, "venv", "--quiet", "--python", sys.executable, venv)
    python = venv / "bin" / "python"
    run_checked(uv, "pip", "install", "--quiet", "--python", python, directory)
    return Project(pattern, directory, python)


def environment(variables: dict[str, str]) -> dict[str, str]:
    """This process's environment without any app or Celery setting, plus
    ``variables``."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("APP_", "CELERY_"))
    }
    return {**inherited, **variables}


def get_json(url: str, timeout: float = 5.0) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        body: dict[str, Any] = json.load(response)
        return body


def tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask ``process`` to stop; kill it, and its process group, past the deadline."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_DEADLINE_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own group: see start_process
        process.wait(STOP_DEADLINE_SECONDS)


def start_process(
    command: list[str], cwd: Path, env: dict[str, str], output: Path, **options: Any
) -> subprocess.Popen[bytes]:
    """Start ``command`` in a process group of its own, its output in ``output``."""
    with output.open("wb") as output_file:
        return subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=output_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **options,
        )


@dataclass(frozen=True)
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log_file: Path
    """The file its tasks write their lines to (``APP_LOG_FILE``)."""
    output: Path
    host: str = "127.0.0.1"

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def health(self) -> dict[str, Any]:
        return get_json(self.url("/health"))

    def readiness(self) -> dict[str, Any]:
        """/health/ready's answer, 200 or 503: in-process, it has the backlog."""
        try:
            return get_json(self.url("/health/ready"))
        except urllib.error.HTTPError as error:
            if error.code != 503:
                raise
            body: dict[str, Any] = json.load(error)
            return body

    def lines_written(self) -> int:
        if not self.log_file.exists():
            return 0
        return self.log_file.read_bytes().count(b"\n")

    def answers_health(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(
                f"the server exited with {self.process.returncode}:\n"
                + tail(self.output)
            )
        try:
            status: str = self.health()["status"]
            return status == "ok"
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False


@contextmanager
def serving(
    project: Project,
    run_dir: Path,
    variables: dict[str, str] | None = None,
    *,
    task_seconds: float = 0.0,
    bare_route: bool = False,
) -> Iterator[Server]:
    """Serve the project's app with uvicorn (bench/serve.py) until the block ends.

    The server runs in ``run_dir``, writes its tasks' lines to ``run_dir/log.txt``
    and gets ``variables`` as its environment's app settings.
    """
    arguments = ["--package", PACKAGE, "--task-seconds", str(task_seconds)]
    if bare_route:
        arguments.append("--bare-route")
    with serve_script(project.python, arguments, run_dir, variables or {}) as server:
        yield server


@contextmanager
def serve_script(
    python: Path, arguments: list[str], run_dir: Path, variables: dict[str, str]
) -> Iterator[Server]:
    """Run bench/serve.py with ``arguments`` on a listening socket of its own, in
    ``run_dir``, until the block ends; yield it once ``GET /health`` answers."""
    run_dir.mkdir(parents=True, exist_ok=True)
    log_file = run_dir / "log.txt"
    env = environment({"APP_LOG_FILE": str(log_file), **variables})
    listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
    command = [str(python), str(SERVE_SCRIPT), *arguments]
    command += ["--fd", str(listener.fileno())]
    output = run_dir / "server.out"
    with listener:
        process = start_process(
            command, run_dir, env, output, pass_fds=(listener.fileno(),)
        )
        port: int = listener.getsockname()[1]
    server = Server(port, process, log_file, output)
    try:
        wait_until(server.answers_health, "GET /health", START_DEADLINE_SECONDS)
        yield server
    finally:
        stop(process)


@dataclass(frozen=True)
class Broker:
    name: str
    variables: dict[str, str]
    """The CELERY_* variables that select it; none for the embedded broker."""


# The pairs the template's own suite runs the celery project on
# (tests/test_generated_projects.py): Redis with Redis results, RabbitMQ with the
# default result files, and the embedded broker. Redis's databases are the
# benchmark's own: checked empty before, emptied after (redis_databases_emptied).
REDIS_DATABASES = ("redis://127.0.0.1:6379/8", "redis://127.0.0.1:6379/9")
BROKERS = (
    Broker(
        "redis",
        {
            "CELERY_BROKER_URL": REDIS_DATABASES[0],
            "CELERY_RESULT_BACKEND": REDIS_DATABASES[1],
        },
    ),
    Broker("rabbitmq", {"CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//"}),
    Broker("embedded", {}),
)


def require_empty_redis_databases(urls: Sequence[str], otherwise: str) -> None:
    """Raise SystemExit, saying what to do, unless these Redis databases are empty."""
    for url in urls:
        with redis.Redis.from_url(url) as client:
            if client.dbsize():
                raise SystemExit(
                    f"{url} holds keys: the benchmark empties this database after it,"
                    f" so it must start empty. Empty it (redis-cli -n N flushdb) or"
                    f" {otherwise}"
                )


@contextmanager
def redis_databases_emptied(urls: Sequence[str], otherwise: str) -> Iterator[None]:
    """Refuse to start unless these Redis databases are empty; empty them after.

    A worker leaves keys of kombu's own there (its remote-control queue's binding
    deadlines) that no cleanup of a queue removes: only a database of the
    benchmark's own can be left as it was found.
    """
    require_empty_redis_databases(urls, otherwise)
    try:
        yield
    finally:
        for url in urls:
            with redis.Redis.from_url(url) as client:
                client.flushdb()


@dataclass(frozen=True)
class CeleryStack:
    server: Server
    worker: subprocess.Popen[bytes]
    data_dir: Path


@contextmanager
def celery_stack(
    project: Project, broker: Broker, run_dir: Path
) -> Iterator[CeleryStack]:
    """The celery project's API and a worker beside it, on ``broker``.

    They use a queue of their own, deleted afterwards with the results the worker
    stored, so a shared Redis or RabbitMQ is left as it was. The worker is not known
    to be ready when the block starts: the first task waits for it.
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    data_dir = run_dir / "data"
    queue = f"bench-{uuid.uuid4().hex}"
    variables = {
        "APP_DATA_DIR": str(data_dir),
        "APP_TASK_QUEUE": queue,
        **broker.variables,
    }
    env = environment({"APP_LOG_FILE": str(run_dir / "log.txt"), **variables})
    worker_command = [str(project.python), "-m", "celery", "-A", f"{PACKAGE}.worker"]
    worker_command += ["worker", "--loglevel", "WARNING", "--without-mingle"]
    worker_command += ["--without-gossip", "--without-heartbeat"]
    with ExitStack() as cleanup:
        if "CELERY_BROKER_URL" in broker.variables:
            cleanup.callback(
                delete_queue_and_results, project, broker, queue, data_dir / "sent"
            )
        worker = start_process(worker_command, run_dir, env, run_dir / "worker.out")
        cleanup.callback(stop, worker)
        server = cleanup.enter_context(serving(project, run_dir, variables))
        yield CeleryStack(server, worker, data_dir)


def delete_queue_and_results(
    project: Project, broker: Broker, queue: str, sent_dir: Path
) -> None:
    command: list[str | Path] = [project.python, CLEAN_BROKER_SCRIPT]
    command += ["--broker-url", broker.variables["CELERY_BROKER_URL"], "--queue", queue]
    if result_backend := broker.variables.get("CELERY_RESULT_BACKEND"):
        command += ["--result-backend", result_backend, "--sent-dir", sent_dir]
    run_checked(*command)
