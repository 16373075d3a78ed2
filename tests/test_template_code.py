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
