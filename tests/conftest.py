"""Baking projects from the template, for every test of the template."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from containers import engine
from cookiecutter.main import cookiecutter

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
CHOICES: dict[str, list[str]] = {
    name: value
    for name, value in json.loads(
        (TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8")
    ).items()
    if isinstance(value, list)
}
PATTERNS = CHOICES["task_pattern"]


def project_kind(pattern: str) -> str:
    """The variant folder a pattern shares with others: "in_process" or "celery"."""
    return "celery" if pattern == "celery" else "in_process"


Bake = Callable[..., Path]

# What each project's README gives to install and test it, with pip and with uv.
README_PIP_TEST = (
    "python3 -m venv --upgrade-deps .venv && . .venv/bin/activate"
    " && pip install -e . --group dev && pytest"
)
README_UV_TEST = "uv sync && uv run pytest"

# Parts of generated projects, not tests of the template: the extension kit's files
# and the proofs, which tests/test_generated_projects.py copies into bakes.
collect_ignore = ["extension_kit", "project_proofs"]


# What a checkout holds and a clone of the template does not.
NOT_IN_A_CLONE = (".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache")
_clean_template: list[Path] = []


def template_source() -> str:
    """The template to bake from: a copy of this checkout as a clone would be, so
    that nothing a checkout holds besides (caches, a virtual environment) is baked."""
    return str(_clean_template[0])


@pytest.fixture(scope="session", autouse=True)
def cookiecutter_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep cookiecutter's replay files, clones and temporary copies of the template
    out of the user's home folder and out of the system's temporary folder."""
    _clean_template.append(
        Path(
            shutil.copytree(
                TEMPLATE_DIR,
                tmp_path_factory.mktemp("template") / "bgtasks-template",
                ignore=shutil.ignore_patterns(*NOT_IN_A_CLONE),
            )
        )
    )
    # Cookiecutter leaves its copy behind when a hook stops the generation.
    temporary = tmp_path_factory.mktemp("tmp")
    previous_tmpdir = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(temporary)
    tempfile.tempdir = None
    home = tmp_path_factory.mktemp("cookiecutter-home")
    config = home / "config.yaml"
    config.write_text(
        f"replay_dir: {json.dumps(str(home / 'replay'))}\n"
        f"cookiecutters_dir: {json.dumps(str(home / 'clones'))}\n",
        encoding="utf-8",
    )
    previous = os.environ.get("COOKIECUTTER_CONFIG")
    os.environ["COOKIECUTTER_CONFIG"] = str(config)
    yield home
    for name, value in (("COOKIECUTTER_CONFIG", previous), ("TMPDIR", previous_tmpdir)):
        if value is None:
            del os.environ[name]
        else:
            os.environ[name] = value
    tempfile.tempdir = None


def bake_project(output_dir: Path, **answers: str) -> Path:
    """Generate a project from the defaults and ``answers``; return its path."""
    return Path(
        cookiecutter(
            template_source(),
            no_input=True,
            extra_context=answers,
            output_dir=str(output_dir),
        )
    )


@pytest.fixture
def bake(tmp_path: Path) -> Bake:
    return lambda **answers: bake_project(tmp_path, **answers)


@pytest.fixture(scope="session")
def baked_patterns(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One default project per pattern, shared by the tests that only read it."""
    return {
        pattern: bake_project(tmp_path_factory.mktemp(pattern), task_pattern=pattern)
        for pattern in PATTERNS
    }


def run_command(
    *command: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` to its end, capturing its output as text; never raise."""
    return subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=timeout,
    )


def run_cookiecutter(
    output_dir: Path, *args: str, template: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the cookiecutter command line on the template, as a user would."""
    return run_command(
        sys.executable,
        "-m",
        "cookiecutter",
        template or template_source(),
        "--output-dir",
        str(output_dir),
        *args,
        timeout=120,
    )


def find_python(version: str) -> str | None:
    """Return a working interpreter of ``version`` from PATH or pyenv, or None."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [shutil.which(f"python{version}")]
    candidates += sorted(map(str, pyenv_root.glob(f"versions/{version}.*/bin/python3")))
    for candidate in filter(None, candidates):
        if (
            run_command(candidate, "-c", "import sys; print(sys.version)").returncode
            == 0
        ):
            return candidate
    return None


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now, for a server to take."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until(condition: Callable[[], Any], what: str, seconds: float) -> Any:
    """Poll ``condition`` until it returns a true value, and return that value; fail
    once ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return value


def installed_tool(name: str) -> str:
    """A command that requirements-test.txt installs beside this interpreter."""
    found = shutil.which(name, path=sysconfig.get_path("scripts"))
    assert found, f"{name} is missing: pip install -r requirements-test.txt"
    return found


def assert_matches_builtin_schema(schema: str, path: Path) -> None:
    """``path`` validates against one of check-jsonschema's vendored schemas."""
    check = installed_tool("check-jsonschema")

    result = run_command(check, "--builtin-schema", schema, str(path))

    assert result.returncode == 0, result.stdout + result.stderr


def assert_ruff_clean(directory: Path) -> None:
    """``ruff check`` and ``ruff format --check`` both pass in ``directory``."""
    for command in (["check"], ["format", "--check"]):
        result = run_command(
            sys.executable, "-m", "ruff", *command, "--no-cache", ".", cwd=directory
        )
        assert result.returncode == 0, result.stdout + result.stderr


def pytest_configure(config: pytest.Config) -> None:
    """The controller (or a run without xdist) names the folder of this run's Docker
    engine; its workers inherit it, and the first that needs the engine starts it."""
    if not hasattr(config, "workerinput"):
        # A short path in the system's temporary folder: the engine's sockets live
        # there, and a socket's path may not exceed 107 bytes.
        os.environ[engine.RUN_FOLDER_VARIABLE] = tempfile.mkdtemp(prefix="bgt-docker-")


def pytest_unconfigure(config: pytest.Config) -> None:
    """The controller stops the engine, if a test started one, and deletes its
    folder."""
    if not hasattr(config, "workerinput"):
        engine.stop(Path(os.environ.pop(engine.RUN_FOLDER_VARIABLE)))


_skipped: list[str] = []
# Seconds measured by the container tests (record_property), for the summary.
_container_times: list[tuple[str, str, float]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)
    if report.when == "call" and report.passed:
        properties = dict(report.user_properties)
        subject = str(properties.get("subject", report.nodeid.rsplit("::", 1)[-1]))
        for name, value in properties.items():
            if name.endswith("_seconds"):
                _container_times.append((subject, name, float(value)))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _container_times:
        terminalreporter.section("container build and start-up times")
        for subject, name, seconds in sorted(_container_times):
            terminalreporter.write_line(f"{subject:44} {name:18} {seconds:6.1f} s")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under CI a skipped test fails the run: a skip would hide what did not run."""
    if os.environ.get("CI") and _skipped:
        print(f"\nCI is set and {len(_skipped)} test(s) were skipped:", *_skipped)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
