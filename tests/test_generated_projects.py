"""Each pattern's project installs from its pyproject, passes its suite and serves.

One test per pattern and environment: it installs the project into a fresh venv, then
checks every module imports, the project's own suite passes with nothing skipped, and
``fastapi run`` serves the app. (The checks share one test, and so one venv, because
an install costs seconds and xdist cannot pin a fixture's users to one worker.)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PATTERNS, bake_project
from uv import find_uv_bin

DEADLINE_SECONDS = 30.0

# The oldest supported Python with the lowest versions pyproject.toml allows for its
# direct dependencies, and the newest Python with the newest versions: together they
# show that the declared Python range and the lower bounds hold.
ENVIRONMENTS = {"oldest": ("3.10", "lowest-direct"), "newest": ("3.13", "highest")}

# The projects' runs may cache bytecode, as they do for users: later runs start faster.
PROJECT_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        env=PROJECT_ENV,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def venv_bin(venv: Path, name: str) -> str:
    return str(venv / ("Scripts" if os.name == "nt" else "bin") / name)


def find_python(version: str) -> str | None:
    """Return a working interpreter of ``version`` from PATH or pyenv, or None."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [shutil.which(f"python{version}")]
    candidates += sorted(map(str, pyenv_root.glob(f"versions/{version}.*/bin/python3")))
    for candidate in filter(None, candidates):
        if run(candidate, "-c", "import sys; print(sys.version)").returncode == 0:
            return candidate
    return None


def install(project: Path, venv: Path, version: str, resolution: str) -> None:
    interpreter = find_python(version)
    if interpreter is None:
        pytest.skip(f"Python {version} not found: install it to test the project on it")
    uv = find_uv_bin()
    created = run(uv, "venv", "--quiet", "--python", interpreter, str(venv))
    assert created.returncode == 0, created.stderr
    installed = run(
        uv,
        "pip",
        "install",
        "--resolution",
        resolution,
        "--python",
        venv_bin(venv, "python"),
        "-e",
        f"{project}[dev]",
    )
    assert installed.returncode == 0, installed.stderr


def check_every_module_imports(project: Path, venv: Path) -> None:
    package = project / "background_tasks_app"
    modules = sorted(f"{package.name}.{path.stem}" for path in package.glob("*.py"))
    script = "import importlib, sys; [importlib.import_module(m) for m in sys.argv[1:]]"

    result = run(venv_bin(venv, "python"), "-c", script, *modules, cwd=project.parent)

    assert result.returncode == 0, result.stderr
    assert len(modules) >= 8, modules


def check_suite_passes_with_nothing_skipped(project: Path, venv: Path) -> None:
    result = run(
        venv_bin(venv, "python"), "-m", "pytest", "-p", "no:cacheprovider", cwd=project
    )

    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\d+ passed", summary), summary
    assert not re.search(r"skipped|xfail|xpass|warning|error", summary), summary


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` until it holds; fail once the deadline has passed."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except (urllib.error.URLError, ConnectionError):
        return False


def check_fastapi_run_serves_the_app(project: Path, venv: Path, log_file: Path) -> None:
    port = str(free_port())
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [venv_bin(venv, "fastapi"), "run", "--host", "127.0.0.1", "--port", port],
        cwd=project,
        env={**PROJECT_ENV, "APP_LOG_FILE": str(log_file)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(lambda: answers(f"{base}/health"), "GET /health")
        request = urllib.request.Request(
            f"{base}/send-notification/ada@example.com?q=hello", method="POST"
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
            body = json.load(response)
        wait_for(log_file.exists, "the log file")
        wait_for(lambda: log_file.read_text(encoding="utf-8").endswith("\n"), "a line")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=DEADLINE_SECONDS)
    assert "ada@example.com" in log_file.read_text(encoding="utf-8")
    assert body["message"] in {"Notification sent in the background", "Message sent"}
    assert "Traceback" not in output, output


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize("pattern", PATTERNS)
def test_installs_imports_passes_its_suite_and_serves(
    tmp_path: Path, pattern: str, environment: str
) -> None:
    project = bake_project(tmp_path, task_pattern=pattern)
    venv = tmp_path / "venv"

    install(project, venv, *ENVIRONMENTS[environment])

    check_every_module_imports(project, venv)
    check_suite_passes_with_nothing_skipped(project, venv)
    check_fastapi_run_serves_the_app(project, venv, tmp_path / "log.txt")
