"""Baking projects from the template, for every test of the template."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
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

Bake = Callable[..., Path]


@pytest.fixture(scope="session", autouse=True)
def cookiecutter_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep cookiecutter's replay files and clones out of the user's home folder."""
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
    if previous is None:
        del os.environ["COOKIECUTTER_CONFIG"]
    else:
        os.environ["COOKIECUTTER_CONFIG"] = previous


def bake_project(output_dir: Path, **answers: str) -> Path:
    """Generate a project from the defaults and ``answers``; return its path."""
    return Path(
        cookiecutter(
            str(TEMPLATE_DIR),
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


def run_cookiecutter(
    output_dir: Path, *args: str, template: str = str(TEMPLATE_DIR)
) -> subprocess.CompletedProcess[str]:
    """Run the cookiecutter command line on the template, as a user would."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            template,
            "--output-dir",
            str(output_dir),
            *args,
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )


def assert_ruff_clean(directory: Path) -> None:
    """``ruff check`` and ``ruff format --check`` both pass in ``directory``."""
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--no-cache", "."],
            cwd=directory,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under CI a skipped test fails the run: a skip would hide what did not run."""
    if os.environ.get("CI") and _skipped:
        print(f"\nCI is set and {len(_skipped)} test(s) were skipped:", *_skipped)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
