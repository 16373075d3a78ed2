"""Each pattern's project installs from its pyproject, passes its suite and serves,
takes the extension kit, and passes the template's proofs.

One test per pattern and environment: it bakes the project where users put theirs (a
path with a space, an apostrophe, letters outside ASCII, and long), installs it into a
fresh venv, then checks every module imports, the project's own suite passes with
nothing skipped (for celery, on the embedded broker and on a real one), ``fastapi run``
serves the app (with its worker, for the celery pattern) and refuses to start on a log
file or data folder it cannot write, the extension kit leaves the suite and ruff
passing, and the proofs in tests/project_proofs/ pass on the extended project. The
checks share one test, and so one venv, because an install costs seconds and xdist
cannot pin a fixture's users to one worker.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from base64 import b64encode
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest
import redis
from conftest import (
    PATTERNS,
    README_PIP_TEST,
    assert_ruff_clean,
    bake_project,
    find_python,
    free_port,
    project_kind,
    run_command,
    wait_until,
)
from extension_kit import apply_extension_kit
from uv import find_uv_bin

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

DEADLINE_SECONDS = 30.0
PACKAGE = "background_tasks_app"

# The oldest supported Python with the lowest versions pyproject.toml allows for its
# direct dependencies, and the newest Python with the newest versions: together they
# show that the declared Python range and the lower bounds hold. The README gives two
# ways to install and test: its pip command installs the oldest environment (with the
# lower bounds as pip constraints), or uv with those bounds where the suite also needs
# pytest-celery; uv sync and uv run pytest install and test the newest.
ENVIRONMENTS = {"oldest": ("3.10", "lowest-direct"), "newest": ("3.13", "highest")}
INSTALLED_WITH_UV_SYNC = "newest"

# The projects' runs may cache bytecode, as they do for users: later runs start faster.
PROJECT_ENV = {
    key: value
    for key, value in os.environ.items()
    if key != "PYTHONDONTWRITEBYTECODE" and not key.startswith(("APP_", "CELERY_"))
}
# What a developer's shell and .env may hold: the projects' suites must ignore both.
STRAY_SETTINGS = {
    "APP_MAX_PENDING_REQUESTS": "1",
    "APP_TASK_THREADS": "1",
    "APP_LOG_FILE": "stray/log.txt",
    "APP_TASK_QUEUE": "stray",
    "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
    "CELERY_RESULT_BACKEND": "redis://127.0.0.1:1/1",
}

# The celery project's suite runs on the embedded broker, then on a real one, chosen
# on the pytest command line as its README says: Redis in the oldest environment,
# RabbitMQ in the newest. Both are shared: the Redis database (broker and results) and
# the RabbitMQ virtual host move with these variables, and must hold after the run
# what they held before.
REDIS_URL = os.environ.get("TEMPLATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
AMQP_URL = os.environ.get(
    "TEMPLATE_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//"
)
BROKERS = {
    "oldest": [f"--broker-url={REDIS_URL}", f"--result-backend={REDIS_URL}"],
    "newest": [f"--broker-url={AMQP_URL}"],
}


def broker_contents(url: str) -> list[str]:
    """The keys of the Redis database, or the queues of the RabbitMQ virtual host,
    that ``url`` names: what a run must leave as it found."""
    if url.startswith("redis"):
        client = redis.Redis.from_url(url, decode_responses=True)
        try:
            return sorted(client.keys("*"))
        finally:
            client.close()
    # amqp://user:password@host:port/vhost; "//" at the end is the vhost "/".
    parts = urlsplit(url)
    vhost = unquote(parts.path[1:]) or "/"
    rabbitmqctl = shutil.which("rabbitmqctl")
    if rabbitmqctl is not None:  # beside the broker, as on a developer's machine
        listed = run_command(
            *(rabbitmqctl, "--quiet", "list_queues"),
            *("--vhost", vhost, "--no-table-headers"),
        )
        assert listed.returncode == 0, listed.stderr
        lines = listed.stdout.splitlines()
        return sorted(line.split("\t")[0] for line in lines if line)
    # A broker in a container (a CI service): its management API, on port 15672.
    api = f"http://{parts.hostname}:15672/api/queues/{quote(vhost, safe='')}"
    request = urllib.request.Request(api)
    login = f"{unquote(parts.username or 'guest')}:{unquote(parts.password or 'guest')}"
    request.add_header("Authorization", f"Basic {b64encode(login.encode()).decode()}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return sorted(queue["name"] for queue in json.load(response))
    except OSError as error:
        pytest.skip(f"cannot list RabbitMQ's queues: no rabbitmqctl and {api}: {error}")


# Where users put projects: a space, an apostrophe and letters outside ASCII in the
# path (Celery's file:// result backend once broke on them), and a long path.
AWKWARD_PARENT = Path(
    "my projects", "Zoë's Café", "a folder name as long as some people make them " * 2
)
LONG_PATH = 200

# What the proofs need beyond the project's dev group.
PROOF_REQUIREMENTS = ["schemathesis>=4.30.1"]
PROOFS_DIR = Path(__file__).parent / "project_proofs"


def run(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command in the projects' environment (PROJECT_ENV) unless given one."""
    return run_command(*args, cwd=cwd, env=PROJECT_ENV if env is None else env)


def venv_bin(venv: Path, name: str) -> str:
    return str(venv / ("Scripts" if os.name == "nt" else "bin") / name)


def install(
    project: Path, venv: Path, version: str, resolution: str, *extra: str
) -> None:
    """Install the project and its dev group as the README's pip command does."""
    interpreter = python_or_skip(version)
    uv = find_uv_bin()
    created = run(uv, "venv", "--quiet", "--python", interpreter, str(venv))
    assert created.returncode == 0, created.stderr
    installed = run(
        *(uv, "pip", "install", "--resolution", resolution),
        *("--python", venv_bin(venv, "python"), "-e", str(project)),
        *("--group", f"{project / 'pyproject.toml'}:dev", *extra),
    )
    assert installed.returncode == 0, installed.stderr


def lower_bounds(project: Path, folder: Path) -> Path:
    """A pip constraints file that pins each direct dependency of the project, the
    dev group's included, to its lower bound: pip's "lowest-direct"."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    requirements = pyproject["project"]["dependencies"]
    requirements += pyproject["dependency-groups"]["dev"]
    pins = []
    for requirement in requirements:
        name, _, bound = requirement.partition(">=")
        if bound:
            pins.append(f"{name.partition('[')[0]}=={bound}\n")
    constraints = folder / "lower-bounds.txt"
    constraints.write_text("".join(pins), encoding="utf-8")
    return constraints


def install_and_test_with_the_readme_pip_command(
    project: Path, version: str, scratch: Path
) -> Path:
    """Run the README's pip command, as it is, with ``python3`` the given Python and
    the lower bounds as constraints; return the venv it made. ``scratch`` is a folder
    whose path has no space (pip splits PIP_CONSTRAINT at spaces)."""
    interpreter = python_or_skip(version)
    bin_dir = scratch / "python3-bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(interpreter)
    env = {
        **PROJECT_ENV,
        "PATH": f"{bin_dir}{os.pathsep}{PROJECT_ENV['PATH']}",
        "PIP_CONSTRAINT": str(lower_bounds(project, scratch)),
    }
    result = run("bash", "-c", README_PIP_TEST, cwd=project, env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\d+ passed", result.stdout.splitlines()[-1]), result.stdout
    return project / ".venv"


def sync(project: Path, version: str) -> Path:
    """``uv sync``, with no option, as the README says; return the venv it made."""
    env = {**PROJECT_ENV, "UV_PYTHON": python_or_skip(version)}
    synced = run(find_uv_bin(), "sync", cwd=project, env=env)
    assert synced.returncode == 0, synced.stderr
    assert (project / "uv.lock").is_file()
    return project / ".venv"


def python_or_skip(version: str) -> str:
    interpreter = find_python(version)
    if interpreter is None:
        pytest.skip(f"Python {version} not found: install it to test the project on it")
    return interpreter


def check_every_module_imports(project: Path, venv: Path) -> None:
    package = project / PACKAGE
    modules = sorted(f"{package.name}.{path.stem}" for path in package.glob("*.py"))
    script = "import importlib, sys; [importlib.import_module(m) for m in sys.argv[1:]]"

    result = run(venv_bin(venv, "python"), "-c", script, *modules, cwd=project.parent)

    assert result.returncode == 0, result.stderr
    assert len(modules) >= 8, modules


def require_broker(url: str) -> None:
    """Skip unless something listens at the broker URL's address."""
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=2).close()
    except OSError:
        pytest.skip(f"no broker at {parts.hostname}:{parts.port}: start it to run this")


def run_suite(
    project: Path, venv: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    """The project's pytest, run as its README says (with uv when uv installed it)."""
    if (project / "uv.lock").is_file():  # installed by uv sync: run it as uv does
        pytest_command = [find_uv_bin(), "run", "pytest"]
    else:
        pytest_command = [venv_bin(venv, "python"), "-m", "pytest"]
    return run(*pytest_command, "-p", "no:cacheprovider", *args, cwd=project, env=env)


def check_suite_passes_with_nothing_skipped(
    project: Path, venv: Path, *args: str
) -> None:
    """The suite passes, with a developer's stray settings in .env and the shell."""
    dotenv = project / ".env"
    dotenv.write_text("".join(f"{k}={v}\n" for k, v in STRAY_SETTINGS.items()))
    try:
        result = run_suite(project, venv, {**PROJECT_ENV, **STRAY_SETTINGS}, *args)
    finally:
        dotenv.unlink()

    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\d+ passed", summary), summary
    assert not re.search(r"skipped|xfail|xpass|warning|error", summary), summary
    assert not (project / "stray").exists()


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` until it holds; fail once the deadline has passed."""
    wait_until(condition, what, DEADLINE_SECONDS)


def text_of(path: Path) -> str:
    """What ``path`` holds so far; nothing while it does not exist."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except (urllib.error.URLError, ConnectionError):
        return False


class Started:
    """A process whose output a thread collects, so that a test can wait on a line."""

    def __init__(self, *command: str, cwd: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # A group of its own, so that stop() reaches its children too: the
            # scheduler a worker runs with --beat outlives the worker's SIGKILL.
            start_new_session=True,
        )
        self._lines: list[str] = []
        self._new_line = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._new_line:
                self._lines.append(line)
                self._new_line.notify_all()

    def wait_for_line(self, pattern: str) -> re.Match[str]:
        """The first match of ``pattern`` in the output, waited for with a deadline."""

        def found() -> re.Match[str] | None:
            return next(
                filter(None, (re.search(pattern, x) for x in self._lines)), None
            )

        with self._new_line:
            match = self._new_line.wait_for(found, DEADLINE_SECONDS)
        assert match, f"never printed {pattern!r}:\n{self.output()}"
        return match

    def stop(self) -> str:
        """Kill the process and its children (the test has checked their work);
        return all it printed."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(DEADLINE_SECONDS)
        self._reader.join(DEADLINE_SECONDS)
        assert self.process.stdout is not None
        self.process.stdout.close()
        return self.output()

    def output(self) -> str:
        with self._new_line:
            return "".join(self._lines)


# A record as the projects log it: time, level, logger, [request id], message.
LOG_RECORD = re.compile(
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ \S+ \[(?P<request_id>[^\]]+)\] .*"
)


def check_its_readme_commands_serve_the_app(
    project: Path, venv: Path, pattern: str
) -> None:
    """``fastapi run``, and for the celery pattern its worker beside it, as the README
    starts them: in the project's folder, with the default settings (the log file and
    the data folder inside the project, no broker configured). Each logs the request
    under the client's X-Request-ID, the worker's records of its task included, and
    never the recipient's address; a failed task is logged, under its request's id, at
    ERROR (and, for celery, listed by Flower, started as the README says)."""
    log_file = project / "log.txt"
    # Port 0: the system picks a free one, which uvicorn then prints.
    fastapi = [venv_bin(venv, "fastapi"), "run", "--host", "127.0.0.1", "--port", "0"]
    processes = [Started(*fastapi, cwd=project, env=PROJECT_ENV)]
    if pattern == "celery":
        # With the scheduler that deletes expired result files, as the README says.
        worker = [venv_bin(venv, "celery"), "-A", f"{PACKAGE}.worker", "worker"]
        processes.append(Started(*worker, "--beat", cwd=project, env=PROJECT_ENV))
    request_ids = [uuid.uuid4().hex for _ in range(2)]
    try:
        running = processes[0].wait_for_line(r"Uvicorn running on (http://\S+:\d+)")
        base = running.group(1)
        wait_for(lambda: answers(f"{base}/health/ready"), "GET /health/ready")
        body = post_json(
            f"{base}/send-notification/ada@example.com?q=hello", request_ids[0]
        )
        if pattern == "celery":
            wait_for(
                lambda: get_json(base + body["status_url"])["state"] == "SUCCESS",
                "the worker to finish the task",
            )
            processes[1].wait_for_line(rf"\[{request_ids[0]}\] Task \S+ succeeded")
        # The line of this request's notification: dependency_injected writes
        # another line before it, so "a line" would not do.
        wait_for(
            lambda: "ada@example.com" in text_of(log_file), "the notification's line"
        )
        if pattern == "celery":
            # One file or several, with a suffix, as the Python's dbm makes them.
            wait_for(
                lambda: any((project / "data").glob("celerybeat-schedule*")),
                "celery beat to keep its schedule in data/",
            )
        # Now every write fails: the log file is a folder.
        log_file.unlink()
        log_file.mkdir()
        if pattern == "celery":
            check_flower_lists_the_failed_tasks(project, venv, base, request_ids[1])
        else:
            post_json(f"{base}/send-notification/bob@example.com", request_ids[1])
        processes[-1].wait_for_line(rf"ERROR \S+ \[{request_ids[1]}\] ")
    finally:
        outputs = [process.stop() for process in processes]
    assert body["message"] in {
        "Notification sent in the background",
        "Message sent",
        "Notification queued",
    }
    assert "IsADirectoryError" in outputs[-1]
    api_log = outputs[0]
    assert re.search(rf"\[{request_ids[0]}\] .*POST /send-notification/\*\*\*", api_log)
    for output in outputs:
        # A traceback follows each record of a failed task, and nothing else.
        failures = re.findall(rf"ERROR \S+ \[{request_ids[1]}\] ", output)
        assert output.count("Traceback") == len(failures), output
        # The addresses are in the log file only, which is the work itself.
        assert "ada@" not in output, output
        assert "bob@" not in output, output
        records = [line for line in output.splitlines() if LOG_RECORD.fullmatch(line)]
        assert len(records) >= 3, output
    log_file.rmdir()
    shutil.rmtree(project / "data", ignore_errors=True)


def check_flower_lists_the_failed_tasks(
    project: Path, venv: Path, base: str, request_id: str
) -> None:
    """Flower, started as the README says without Docker, lists failed tasks once it
    has turned on the worker's task events (which it does by itself, soon after it
    starts): each poll sends one more task that fails, until Flower lists one."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    command = re.search(r"^uv run --with flower (celery .*flower .*)$", readme, re.M)
    assert command, "the README gives no command that runs Flower"
    port = free_port()
    celery, *args = command.group(1).split()
    if (project / "uv.lock").is_file():  # installed by uv sync: the README's command
        flower_command = [find_uv_bin(), "run", "--with", "flower", celery, *args]
    else:  # installed as with pip: pip install flower, then the celery command
        installed = run(
            *(find_uv_bin(), "pip", "install", "--python", venv_bin(venv, "python")),
            "flower",
        )
        assert installed.returncode == 0, installed.stderr
        flower_command = [venv_bin(venv, celery), *args]
    flower = Started(*flower_command, f"--port={port}", cwd=project, env=PROJECT_ENV)
    login = re.search(r"--basic-auth=(\S+)", command.group(1))
    assert login
    failed: list[str] = []
    sent_at = [-1.0]

    def flower_lists_a_failure() -> bool:
        if time.monotonic() - sent_at[0] >= 1:  # a task that fails, once a second
            queued = post_json(f"{base}/send-notification/bob@example.com", request_id)
            failed.append(queued["task_id"])
            sent_at[0] = time.monotonic()
        listed = get_json(
            f"http://127.0.0.1:{port}/api/tasks?state=FAILURE",
            login=login.group(1),
        )
        return any(task_id in listed for task_id in failed)

    try:
        flower.wait_for_line(r"Visit me at")
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/healthcheck"), "Flower")
        wait_for(flower_lists_a_failure, "Flower to list a failed task")
    finally:
        flower.stop()


def check_a_path_it_cannot_write_stops_the_process_that_writes_there(
    project: Path, venv: Path, pattern: str
) -> None:
    """A log file that is a folder or in a folder no one may write, or a data folder
    that is a file or cannot be made, stops at start-up the process that would write
    there, with a line naming the variable: ``fastapi run`` for the in-process
    patterns; for celery the worker, and the API when it uses the embedded broker.
    A celery API on Redis, which writes neither, starts whatever they are."""
    fastapi = [venv_bin(venv, "fastapi"), "run", "--host", "127.0.0.1", "--port", "0"]
    worker = [venv_bin(venv, "celery"), "-A", f"{PACKAGE}.worker", "worker"]
    # sysfs refuses new files and folders even to root, who may write anywhere else.
    unwritable = {"APP_LOG_FILE": Path("/sys/log.txt"), "APP_DATA_DIR": Path("/sys/d")}
    in_the_way = {"APP_LOG_FILE": project, "APP_DATA_DIR": project / "pyproject.toml"}
    if pattern == "celery":
        writers = [(worker, "APP_LOG_FILE"), (worker, "APP_DATA_DIR")]
        writers.append((fastapi, "APP_DATA_DIR"))
    else:
        writers = [(fastapi, "APP_LOG_FILE")]
    bad_paths = [in_the_way] + ([unwritable] if sys.platform == "linux" else [])
    for (command, variable), paths in itertools.product(writers, bad_paths):
        # Wide lines: fastapi's rich traceback would wrap the message at 80 columns.
        env = {**PROJECT_ENV, variable: str(paths[variable]), "COLUMNS": "1000"}
        result = run(*command, cwd=project, env=env)

        printed = result.stdout + result.stderr
        assert result.returncode != 0, printed
        assert any(
            variable in line and str(paths[variable]) in line
            for line in printed.splitlines()
        ), printed
        assert "Uvicorn running" not in printed, printed
    # Never reached: beat stops before connecting, and the API connects on demand.
    redis = "redis://127.0.0.1:1/0"
    if pattern == "celery":
        # celery beat keeps its schedule in APP_DATA_DIR; on Redis, nothing else
        # would stop it first.
        beat = [venv_bin(venv, "celery"), "-A", f"{PACKAGE}.worker", "beat"]
        for paths in bad_paths:
            data_dir = str(paths["APP_DATA_DIR"])
            env = {**PROJECT_ENV, "APP_DATA_DIR": data_dir}
            env.update(CELERY_BROKER_URL=redis, CELERY_RESULT_BACKEND=redis)
            result = run(*beat, cwd=project, env=env)

            printed = result.stdout + result.stderr
            assert result.returncode != 0, printed
            assert f"ERROR: APP_DATA_DIR: cannot write in {data_dir!r}" in printed
    if pattern == "celery" and sys.platform == "linux":
        env = {**PROJECT_ENV, **{k: str(v) for k, v in unwritable.items()}}
        env.update(CELERY_BROKER_URL=redis, CELERY_RESULT_BACKEND=redis)
        api = Started(*fastapi, cwd=project, env=env)
        try:
            base = api.wait_for_line(r"Uvicorn running on (http://\S+:\d+)").group(1)
            wait_for(lambda: answers(f"{base}/health"), "GET /health")
        finally:
            api.stop()


def post_json(url: str, request_id: str | None = None) -> dict[str, Any]:
    """POST with no body (and this X-Request-ID); the answer, which returns the id."""
    request = urllib.request.Request(url, method="POST")
    if request_id is not None:
        request.add_header("X-Request-ID", request_id)
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status in (200, 202)
        if request_id is not None:
            assert response.headers["X-Request-ID"] == request_id
        body: dict[str, Any] = json.load(response)
        return body


def get_json(url: str, login: str | None = None) -> dict[str, Any]:
    """GET, with this user:password as basic authentication."""
    request = urllib.request.Request(url)
    if login is not None:
        credentials = b64encode(login.encode()).decode()
        request.add_header("Authorization", f"Basic {credentials}")
    with urllib.request.urlopen(request, timeout=5) as response:
        body: dict[str, Any] = json.load(response)
        return body


def check_the_extension_kit_passes_the_suite_and_ruff(
    project: Path, venv: Path, pattern: str, *args: str
) -> None:
    """What users add first works: the kit's own tests, and everything else."""
    apply_extension_kit(project, PACKAGE, pattern)

    check_suite_passes_with_nothing_skipped(project, venv, *args)
    assert_ruff_clean(project)


def check_the_proofs_pass(project: Path, venv: Path, pattern: str, *args: str) -> None:
    """The template's proofs of what the project's user does not own, run with the
    project's own fixtures (``-p tests.conftest``) on the project as it stands."""
    kind = project_kind(pattern)
    proofs = project / "proofs"
    for folder in ("common", kind, pattern):
        if (PROOFS_DIR / folder).is_dir():
            shutil.copytree(PROOFS_DIR / folder, proofs, dirs_exist_ok=True)
    python = venv_bin(venv, "python")
    installed = run(
        find_uv_bin(), "pip", "install", "--python", python, *PROOF_REQUIREMENTS
    )
    assert installed.returncode == 0, installed.stderr

    result = run(
        python,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-p",
        "tests.conftest",
        "proofs",
        *args,
        cwd=project,
    )

    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0, result.stdout + result.stderr
    assert not re.search(r"skipped|xfail|warning|error", summary), summary


# Every pattern in a fresh venv. The in-process patterns declare the same dependencies,
# so each takes one end of their range; celery, whose suite also runs on a real
# broker, takes both.
RUNS = [
    ("add_task", "oldest"),
    ("dependency_injected", "newest"),
    ("celery", "oldest"),
    ("celery", "newest"),
]


@pytest.mark.parametrize(("pattern", "environment"), RUNS)
def test_installs_imports_passes_its_suite_and_serves_from_any_path(
    tmp_path: Path, pattern: str, environment: str
) -> None:
    project = bake_project(tmp_path / AWKWARD_PARENT, task_pattern=pattern)
    assert len(str(project)) >= LONG_PATH, project
    venv = tmp_path / "venv"
    broker, extra = [], []
    if pattern == "celery":
        broker = BROKERS[environment]
        require_broker(broker[0].partition("=")[2])
        # Its suite must pass whether or not pytest-celery (Docker-based) is there.
        extra = ["pytest-celery>=1.3"] if environment == "oldest" else []

    if environment == INSTALLED_WITH_UV_SYNC:
        assert not extra
        venv = sync(project, ENVIRONMENTS[environment][0])
    elif not extra:
        venv = install_and_test_with_the_readme_pip_command(
            project, ENVIRONMENTS[environment][0], tmp_path
        )
    else:
        install(project, venv, *ENVIRONMENTS[environment], *extra)

    check_every_module_imports(project, venv)
    check_suite_passes_with_nothing_skipped(project, venv)
    on_the_broker = broker_contents(broker[0].partition("=")[2]) if broker else []
    if broker:
        check_suite_passes_with_nothing_skipped(project, venv, *broker)
    check_its_readme_commands_serve_the_app(project, venv, pattern)
    check_a_path_it_cannot_write_stops_the_process_that_writes_there(
        project, venv, pattern
    )
    check_the_extension_kit_passes_the_suite_and_ruff(project, venv, pattern)
    check_the_proofs_pass(project, venv, pattern, *broker)
    if broker:
        assert broker_contents(broker[0].partition("=")[2]) == on_the_broker


def test_every_pattern_and_both_ends_of_the_range_are_run() -> None:
    assert {pattern for pattern, _ in RUNS} == set(PATTERNS)
    assert {environment for _, environment in RUNS} == set(ENVIRONMENTS)
