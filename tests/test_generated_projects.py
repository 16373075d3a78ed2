"""Each pattern's project installs from its pyproject, passes its suite and serves."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PATTERNS, bake_project
from uv import find_uv_bin

DEADLINE_SECONDS = 30.0


def venv_bin(venv: Path, name: str) -> str:
    return str(venv / ("Scripts" if os.name == "nt" else "bin") / name)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, check=False, timeout=300
    )


@pytest.fixture(scope="module", params=PATTERNS)
def installed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """A fresh project of the pattern, installed with its dev extra in a new venv."""
    root = tmp_path_factory.mktemp(request.param)
    project = bake_project(root, task_pattern=request.param)
    venv = root / "venv"
    uv = find_uv_bin()
    created = run(uv, "venv", "--quiet", "--python", sys.executable, str(venv))
    assert created.returncode == 0, created.stderr
    python = venv_bin(venv, "python")
    # Compiled at install time, as pip does, so the suite starts as it would for users.
    install = run(
        uv,
        "pip",
        "install",
        "--compile-bytecode",
        "--python",
        python,
        "-e",
        f"{project}[dev]",
    )
    assert install.returncode == 0, install.stderr
    return project, venv


def test_every_module_imports(installed: tuple[Path, Path]) -> None:
    project, venv = installed
    package = project / "background_tasks_app"
    modules = sorted(f"{package.name}.{path.stem}" for path in package.glob("*.py"))
    script = "import importlib, sys; [importlib.import_module(m) for m in sys.argv[1:]]"

    result = run(venv_bin(venv, "python"), "-c", script, *modules, cwd=project.parent)

    assert result.returncode == 0, result.stderr
    assert len(modules) >= 8


def test_its_own_suite_passes_with_nothing_skipped(
    installed: tuple[Path, Path],
) -> None:
    project, venv = installed

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


def test_fastapi_run_serves_the_app(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    project, venv = installed
    log_file = tmp_path / "log.txt"
    port = str(free_port())
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [venv_bin(venv, "fastapi"), "run", "--host", "127.0.0.1", "--port", port],
        cwd=project,
        env={**os.environ, "APP_LOG_FILE": str(log_file)},
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
    assert "Traceback" not in output
