"""Each generated image and compose file, built and run for real in a Docker engine.

The suite installs the engine from Debian's packages, starts it for this run and stops
it at the end (containers/engine.py); the registry images the projects name are made
locally (containers/images.py). Times are recorded with ``record_property`` and shown
in the summary of the run.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import conftest
import pytest
from conftest import PATTERNS, find_python, free_port, run_command
from containers import engine, images

pytestmark = pytest.mark.containers

PACKAGE = "background_tasks_app"
DEADLINE_SECONDS = 90.0
# Longer than the API's --timeout-graceful-shutdown (25 s), as compose.yaml's
# stop_grace_period is.
STOP_SECONDS = 30


def declared_pythons(project: Path) -> tuple[str, str]:
    """The oldest and the newest Python of the project's classifiers."""
    pyproject = (project / "pyproject.toml").read_text(encoding="utf-8")
    versions = re.findall(r'"Programming Language :: Python :: (3\.\d+)"', pyproject)
    ordered = sorted(versions, key=lambda version: int(version.split(".")[1]))
    return ordered[0], ordered[-1]


@pytest.fixture(scope="session")
def docker_engine(baked_patterns: dict[str, Path]) -> engine.Engine:
    """The engine TEMPLATE_TEST_DOCKER_HOST names, or this run's own, with the
    stand-ins of the registry images loaded."""
    run_folder = Path(os.environ[engine.RUN_FOLDER_VARIABLE])
    found = engine.existing(run_folder)
    if found is not None:
        if found.answers():
            return found
        reason: str | None = (
            f"{found.host} does not answer ({engine.EXISTING_ENGINE_VARIABLE})"
        )
    else:
        reason = engine.why_unavailable()
    versions = declared_pythons(baked_patterns[PATTERNS[0]])
    interpreters = {version: find_python(version) for version in versions}
    missing = [version for version, path in interpreters.items() if path is None]
    if missing and reason is None:
        reason = f"Python {', '.join(missing)} not found: the images copy its build"
    if reason is None:
        try:
            started = engine.ensure_started(run_folder)
            prefixes = {
                version: images.python_prefix(str(interpreter))
                for version, interpreter in interpreters.items()
            }
            images.ensure_loaded(started, prefixes)
        except engine.EngineUnavailable as error:
            reason = str(error)
        else:
            return started
    if os.environ.get("CI"):
        pytest.fail(f"no Docker engine, and CI must run the container tests: {reason}")
    pytest.skip(f"no Docker engine: {reason}")


def docker(
    docker_engine: engine.Engine, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the engine's ``docker`` client; never raise."""
    return run_command(
        docker_engine.docker(), *args, cwd=cwd, env=docker_engine.env(), timeout=600
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """The output of a command that must have succeeded."""
    assert result.returncode == 0, f"{result.args}:\n{result.stdout}{result.stderr}"
    return result.stdout


def wait_until(condition: Callable[[], Any], what: str) -> Any:
    """conftest.wait_until with this module's deadline."""
    return conftest.wait_until(condition, what, DEADLINE_SECONDS)


def request(
    url: str, method: str = "GET", login: str | None = None
) -> tuple[int, bytes]:
    """The status and body of one HTTP request; (0, b"") when nothing answers."""
    call = urllib.request.Request(url, method=method)
    if login is not None:
        call.add_header(
            "Authorization", f"Basic {base64.b64encode(login.encode()).decode()}"
        )
    try:
        with urllib.request.urlopen(call, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


def health_status(docker_engine: engine.Engine, container: str) -> str:
    return ok(
        docker(
            docker_engine, "inspect", "--format", "{{.State.Health.Status}}", container
        )
    ).strip()


@pytest.fixture
def container_name(docker_engine: engine.Engine) -> Iterator[str]:
    """A unique name for a container and for its network (the engine has no default
    bridge); both are removed after the test."""
    name = f"bgtasks-test-{uuid.uuid4().hex[:8]}"
    ok(docker(docker_engine, "network", "create", name))
    yield name
    docker(docker_engine, "rm", "--force", "--volumes", name)
    docker(docker_engine, "network", "rm", name)


def read_fifo_lines(fifo: Path, count: int) -> list[str]:
    """Read ``count`` lines from ``fifo``, opening it once per writer (each task
    opens the log file, writes its line and closes it); fail if they do not come
    within the deadline."""
    lines: list[str] = []

    def read() -> None:
        while len(lines) < count:
            with fifo.open(encoding="utf-8") as reader:
                lines.extend(reader.read().splitlines())

    reading = threading.Thread(target=read, daemon=True)
    reading.start()
    reading.join(DEADLINE_SECONDS)
    if reading.is_alive():
        # A writer of our own ends the reader's wait on the pipe.
        with fifo.open("w", encoding="utf-8"):
            pass
        pytest.fail(f"only {lines} of {count} lines reached {fifo.name}")
    return lines


IN_PROCESS_REQUESTS = {
    "add_task": (
        "/send-notification/ada@example.com",
        ["notification for ada@example.com: some notification"],
    ),
    "dependency_injected": (
        "/send-notification/ada@example.com?q=hello",
        ["found query: hello", "message to ada@example.com"],
    ),
}


@pytest.mark.parametrize("end", ["oldest", "newest"])
@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_image_builds_serves_and_stops_cleanly_on_each_end_of_the_range(
    docker_engine: engine.Engine,
    baked_patterns: dict[str, Path],
    container_name: str,
    pattern: str,
    end: str,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    """Built on the oldest and the newest Python the project declares, the image
    answers /health as an unprivileged user, turns healthy at its first checks, and
    on ``docker stop`` exits 0, after its pending in-process tasks have run."""
    project = baked_patterns[pattern]
    oldest, newest = declared_pythons(project)
    version = oldest if end == "oldest" else newest
    image = f"bgtasks-test-{pattern.replace('_', '-')}:{version}"
    record_property("subject", f"{pattern} image, Python {version}")

    started = time.monotonic()
    ok(
        docker(
            docker_engine,
            *("build", "--network=host", "--build-arg", f"PYTHON_VERSION={version}"),
            *("--tag", image, "."),
            cwd=project,
        )
    )
    record_property("build_seconds", time.monotonic() - started)

    run_options = ["--network", container_name, "--publish", "127.0.0.1::8000"]
    if pattern != "celery":
        # The log file is a named pipe: a task blocks in it until the test reads,
        # so the work is still pending when the container is told to stop.
        logs = tmp_path / "logs"
        logs.mkdir(mode=0o777)
        logs.chmod(0o777)
        fifo = logs / "log.txt"
        os.mkfifo(fifo, mode=0o666)
        fifo.chmod(0o666)
        run_options += [
            "--volume",
            f"{logs}:/logs",
            "--env",
            "APP_LOG_FILE=/logs/log.txt",
        ]
    started = time.monotonic()
    ok(
        docker(
            docker_engine,
            "run",
            "--detach",
            "--name",
            container_name,
            *run_options,
            image,
        )
    )
    address = ok(docker(docker_engine, "port", container_name, "8000")).split()[0]
    assert address.startswith("127.0.0.1:")
    base = f"http://{address}"

    assert wait_until(lambda: request(f"{base}/health")[0], "/health") == 200
    wait_until(
        lambda: health_status(docker_engine, container_name) == "healthy", "healthy"
    )
    record_property("healthy_seconds", time.monotonic() - started)
    # Checked every second while it starts, not first after the 30 s interval.
    healthcheck = json.loads(
        ok(
            docker(
                docker_engine,
                *("inspect", "--format", "{{json .Config.Healthcheck}}"),
                container_name,
            )
        )
    )
    assert (healthcheck["StartInterval"], healthcheck["Interval"]) == (1e9, 30e9)
    process_uid = ok(
        docker(docker_engine, "exec", container_name, "cat", "/proc/1/status")
    )
    assert re.search(r"^Uid:\s+10001\s", process_uid, re.MULTILINE), process_uid

    expected: list[str] = []
    if pattern != "celery":
        path, expected = IN_PROCESS_REQUESTS[pattern]
        assert request(f"{base}{path}", method="POST")[0] == 200
    stopping = threading.Thread(
        target=docker,
        args=(docker_engine, "stop", "--time", str(STOP_SECONDS), container_name),
    )
    stopping.start()
    if pattern != "celery":
        wait_until(
            lambda: (
                "Waiting for background tasks to complete"
                in docker(docker_engine, "logs", container_name).stderr
            ),
            "uvicorn to wait for the pending tasks",
        )
        assert read_fifo_lines(fifo, len(expected)) == expected
    stopping.join()
    state = json.loads(ok(docker(docker_engine, "inspect", container_name)))[0]["State"]
    assert (state["Status"], state["ExitCode"]) == ("exited", 0)


class Compose:
    """``docker compose`` on a project, under a project name of its own, with every
    profile; builds use the host's network (the suite's engine has no default
    bridge), through an override file beside the project."""

    def __init__(self, docker_engine: engine.Engine, project: Path, override: Path):
        self.docker_engine = docker_engine
        self.project = project
        self.name = f"bgtasks-test-{uuid.uuid4().hex[:8]}"
        config = json.loads(self.run_ok("config", "--format", "json", files=False))
        built = [
            name for name, service in config["services"].items() if "build" in service
        ]
        override.write_text(
            json.dumps(
                {"services": {name: {"build": {"network": "host"}} for name in built}}
            )
        )
        self.files = ["--file", "compose.yaml", "--file", str(override)]

    def run(self, *args: str, files: bool = True) -> subprocess.CompletedProcess[str]:
        return docker(
            self.docker_engine,
            "compose",
            *("--project-name", self.name, "--profile", "monitoring"),
            *(self.files if files else []),
            *args,
            cwd=self.project,
        )

    def run_ok(self, *args: str, files: bool = True) -> str:
        return ok(self.run(*args, files=files))

    def settings(self, service: str) -> dict[str, Any]:
        """The settings as the app's own Settings reads them in ``service``."""
        script = (
            f"from {PACKAGE}.config import Settings;"
            " print(Settings().model_dump_json())"
        )
        loaded: dict[str, Any] = json.loads(
            self.run_ok("exec", "-T", service, "python", "-c", script)
        )
        return loaded

    def log_records(self, service: str) -> list[dict[str, Any]]:
        """The JSON records ``service`` has logged (uvicorn's first lines are not)."""
        logs = self.run_ok("logs", "--no-log-prefix", service)
        # compose starts each line with a terminal escape that clears it.
        lines = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", logs).splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def text_of(self, service: str, path: str) -> str:
        result = self.run("exec", "-T", service, "cat", path)
        return result.stdout if result.returncode == 0 else ""


def posted_notification(record: dict[str, Any]) -> bool:
    """Whether ``record`` is the access log's line of the POST for ada@example.com,
    masked: uvicorn 0.55 logs the path as sent, older ones with "@" as "%40"."""
    message = urllib.parse.unquote(record["message"])
    return "POST /send-notification/***@example.com" in message


@pytest.fixture
def compose(
    docker_engine: engine.Engine, bake: Callable[..., Path], tmp_path: Path
) -> Iterator[Callable[[str], Compose]]:
    """Bake a pattern and give its compose project; everything of it is removed
    afterwards, volumes included."""
    made: list[Compose] = []

    def make(pattern: str) -> Compose:
        made.append(
            Compose(docker_engine, bake(task_pattern=pattern), tmp_path / "build.json")
        )
        return made[-1]

    yield make
    for project in made:
        project.run("down", "--volumes", "--remove-orphans", "--timeout", "5")


def published(compose: Compose) -> dict[str, list[tuple[str, str]]]:
    """Each service's published ports, as (host IP, port), from ``compose config``."""
    config = json.loads(compose.run_ok("config", "--format", "json"))
    return {
        name: [(port["host_ip"], port["published"]) for port in service["ports"]]
        for name, service in config["services"].items()
        if service.get("ports")
    }


def task_state(base: str, status_url: str) -> str:
    status, body = request(f"{base}{status_url}")
    return str(json.loads(body)["state"]) if status == 200 else ""


APP_SERVICES = ("api", "worker", "beat")


def celery_urls(compose: Compose) -> dict[str, tuple[str, str]]:
    """The broker and result backend URLs compose gives each app service."""
    config = json.loads(compose.run_ok("config", "--format", "json"))
    return {
        name: (
            config["services"][name]["environment"]["CELERY_BROKER_URL"],
            config["services"][name]["environment"]["CELERY_RESULT_BACKEND"],
        )
        for name in APP_SERVICES
    }


CELERY_DOTENV = {
    "APP_LOG_LEVEL": "info",
    "APP_LOG_FORMAT": "json",
    "APP_DATA_DIR": "/data/from-env",
    "APP_LOG_FILE": "/data/from-env/log.txt",
    "APP_TASK_QUEUE": "from-env",
    "APP_BROKER_TIMEOUT": "2.5",
    "CELERY_BROKER_URL": "redis://redis:6379/2",
    "CELERY_RESULT_BACKEND": "redis://redis:6379/3",
}
CELERY_SETTINGS = {
    "log_level": "INFO",
    "log_format": "json",
    "data_dir": "/data/from-env",
    "log_file": "/data/from-env/log.txt",
    "task_queue": "from-env",
    "broker_timeout": 2.5,
    "broker_url": "redis://redis:6379/2",
    "result_backend": "redis://redis:6379/3",
}
LINE = "notification for ada@example.com: some notification"


def test_compose_runs_the_celery_stack_with_the_settings_of_dotenv(
    compose: Callable[[str], Compose], record_property: Callable[[str, object], None]
) -> None:
    """``up --wait`` brings up the API, the worker, the scheduler, Redis and Flower;
    every setting of .env reaches each process; a POST reaches SUCCESS and its line
    is in the shared volume; ports are on 127.0.0.1, movable; Flower needs a login;
    tasks accepted while no worker runs survive Redis killed and ``docker compose
    down``."""
    stack = compose("celery")
    record_property("subject", "celery compose stack")
    assert published(stack) == {
        "api": [("127.0.0.1", "8000")],
        "flower": [("127.0.0.1", "5555")],
    }
    # Empty in .env: the bundled Redis as broker, the project's result files.
    (stack.project / ".env").write_text("CELERY_BROKER_URL=\nCELERY_RESULT_BACKEND=\n")
    assert celery_urls(stack) == {
        service: ("redis://redis:6379/0", "") for service in APP_SERVICES
    }
    api_port, flower_port = free_port(), free_port()
    dotenv = {
        **CELERY_DOTENV,
        "API_PORT": str(api_port),
        "FLOWER_PORT": str(flower_port),
        "FLOWER_BASIC_AUTH": "tester:a secret",
    }
    (stack.project / ".env").write_text(
        "".join(f"{k}={v}\n" for k, v in dotenv.items())
    )

    started = time.monotonic()
    stack.run_ok("build")
    record_property("build_seconds", time.monotonic() - started)
    started = time.monotonic()
    stack.run_ok("up", "--wait")
    record_property("up_wait_seconds", time.monotonic() - started)

    for service in APP_SERVICES:
        assert stack.settings(service) == CELERY_SETTINGS, service
    assert stack.run_ok("port", "api", "8000").strip() == f"127.0.0.1:{api_port}"
    assert stack.run_ok("port", "flower", "5555").strip() == f"127.0.0.1:{flower_port}"
    flower = f"http://127.0.0.1:{flower_port}/"
    assert wait_until(lambda: request(flower)[0], "Flower") == 401
    assert request(flower, login="tester:a secret")[0] == 200
    # No login, no password, or a comma (which Flower reads as a second login).
    for login in ("", "tester", "tester:a,secret"):
        refused = stack.run(
            *("run", "--rm", "--no-deps", "--env", f"FLOWER_BASIC_AUTH={login}"),
            "flower",
        )
        assert refused.returncode == 1, login
        assert "Set FLOWER_BASIC_AUTH=user:password in .env" in refused.stderr

    base = f"http://127.0.0.1:{api_port}"
    status, body = request(f"{base}/send-notification/ada@example.com", "POST")
    assert status == 202, body
    task = json.loads(body)
    wait_until(lambda: task_state(base, task["status_url"]) == "SUCCESS", "SUCCESS")
    assert stack.text_of("api", CELERY_SETTINGS["log_file"]) == f"{LINE}\n"
    # JSON records (APP_LOG_FORMAT in .env): the worker's records of the task carry
    # the request id of the API's record of the POST, and no address.
    [post] = [
        record for record in stack.log_records("api") if posted_notification(record)
    ]

    def records_of_the_task() -> list[dict[str, Any]]:
        """The worker's records of the task's arrival and success, once both are in."""
        records = stack.log_records("worker")
        found = [r for r in records if f"[{task['task_id']}]" in r["message"]]
        return found if len(found) == 2 else []

    received, succeeded = wait_until(records_of_the_task, "the worker's records")
    assert received["request_id"] == succeeded["request_id"] == post["request_id"]
    assert "ada@" not in stack.run_ok("logs", "api", "worker")
    # Redis drops the result by itself after result_expires (a day); the scheduler
    # runs, keeping its schedule in the data folder, for result files.
    result_key = f"celery-task-meta-{task['task_id']}"
    ttl = stack.run_ok("exec", "-T", "redis", "redis-cli", "-n", "3", "ttl", result_key)
    assert 0 < int(ttl) <= 24 * 3600
    stack.run_ok(
        "exec", "-T", "beat", "test", "-s", "/data/from-env/celerybeat-schedule"
    )

    # Queued while no worker runs, then Redis killed (its append-only file, not the
    # snapshot it saves when stopped, keeps them) and the stack taken down.
    stack.run_ok("stop", "worker")
    accepted = []
    for _ in range(3):
        status, body = request(f"{base}/send-notification/ada@example.com", "POST")
        assert status == 202, body
        accepted.append(json.loads(body)["status_url"])
    stack.run_ok("kill", "redis")
    stack.run_ok("down")
    stack.run_ok("up", "--wait")

    for status_url in accepted:
        wait_until(lambda url=status_url: task_state(base, url) == "SUCCESS", "SUCCESS")
    assert stack.text_of("api", CELERY_SETTINGS["log_file"]) == f"{LINE}\n" * 4


IN_PROCESS_DOTENV = {
    "APP_LOG_FILE": "/data/from-env.txt",
    "APP_MAX_PENDING_REQUESTS": "7",
    "APP_TASK_THREADS": "3",
    "APP_LOG_LEVEL": "info",
    "APP_LOG_FORMAT": "json",
}
IN_PROCESS_SETTINGS = {
    "log_file": "/data/from-env.txt",
    "max_pending_requests": 7,
    "task_threads": 3,
    "log_level": "INFO",
    "log_format": "json",
}


@pytest.mark.parametrize("pattern", [p for p in PATTERNS if p != "celery"])
def test_compose_runs_the_api_with_the_settings_of_dotenv(
    compose: Callable[[str], Compose],
    pattern: str,
    record_property: Callable[[str, object], None],
) -> None:
    """``up --wait`` brings the API up healthy with every setting of .env, on
    127.0.0.1 and the port API_PORT gives; its tasks write into the volume."""
    stack = compose(pattern)
    record_property("subject", f"{pattern} compose stack")
    assert published(stack) == {"api": [("127.0.0.1", "8000")]}
    api_port = free_port()
    dotenv = {**IN_PROCESS_DOTENV, "API_PORT": str(api_port)}
    (stack.project / ".env").write_text(
        "".join(f"{k}={v}\n" for k, v in dotenv.items())
    )

    started = time.monotonic()
    stack.run_ok("up", "--build", "--wait")
    record_property("up_wait_seconds", time.monotonic() - started)

    assert stack.settings("api") == IN_PROCESS_SETTINGS
    assert stack.run_ok("port", "api", "8000").strip() == f"127.0.0.1:{api_port}"
    path, expected = IN_PROCESS_REQUESTS[pattern]
    assert request(f"http://127.0.0.1:{api_port}{path}", "POST")[0] == 200
    wait_until(
        lambda: stack.text_of("api", "/data/from-env.txt").splitlines() == expected,
        "the task's lines",
    )
    # JSON records (APP_LOG_FORMAT in .env), with a request id and no address.
    [post] = [
        record for record in stack.log_records("api") if posted_notification(record)
    ]
    assert re.fullmatch(r"[0-9a-f]{32}", post["request_id"]), post
    assert "ada@" not in stack.run_ok("logs", "api")
