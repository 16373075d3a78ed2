"""The template's own code (hooks, filters, this suite) is lint- and format-clean."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import TEMPLATE_DIR


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff_is_clean(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "--no-cache", "."],
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_the_test_command_that_the_readme_gives() -> None:
    readme = (TEMPLATE_DIR / "README.md").read_text(encoding="utf-8")
    ci_script = (TEMPLATE_DIR / ".ci" / "run").read_text(encoding="utf-8")
    section = readme.split("Run the template's own test suite:", 1)[1]
    command = section.split("```sh\n", 1)[1].split("\n```", 1)[0]

    assert command.endswith("python -m pytest")
    assert command in ci_script.splitlines()
