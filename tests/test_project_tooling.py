"""The tools a generated project comes with, run for real on a bake."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import Bake


def run(*command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_pre_commit_passes_on_a_new_project_and_fixes_a_careless_file(
    bake: Bake, tmp_path: Path
) -> None:
    project = bake()
    pre_commit = (sys.executable, "-m", "pre_commit", "run", "--all-files")
    home = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    assert run("git", "init", "--quiet", cwd=project).returncode == 0
    assert run("git", "add", "--all", cwd=project).returncode == 0

    clean = run(*pre_commit, cwd=project, **home)

    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "ruff check" in clean.stdout
    careless = project / "tests" / "test_careless.py"
    careless.write_text("import os,sys\ndef test_x( ):\n  assert 1==1\n")
    assert run("git", "add", "--all", cwd=project).returncode == 0

    fixing = run(*pre_commit, cwd=project, **home)

    assert fixing.returncode == 1, fixing.stdout + fixing.stderr
    assert careless.read_text() == "def test_x():\n    assert 1 == 1\n"
