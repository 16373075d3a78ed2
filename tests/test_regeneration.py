"""Generating again over a project, with ``cookiecutter -f``, as its user would."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import bake_project, run_cookiecutter


def snapshot(project: Path) -> dict[str, bytes]:
    """Every file of ``project``, by its POSIX path, with its bytes."""
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file()
    }


def regenerate(output_dir: Path, *answers: str) -> str:
    """Run ``cookiecutter -f --no-input`` over the default project in ``output_dir``;
    return what it printed on stderr, having checked its exit status against it."""
    result = run_cookiecutter(output_dir, "-f", "--no-input", *answers)
    assert (result.returncode == 0) is ("ERROR" not in result.stderr), result.stderr
    return result.stderr


@pytest.mark.parametrize("pattern", ["add_task", "celery"])
def test_the_same_answers_give_the_same_project(tmp_path: Path, pattern: str) -> None:
    project = bake_project(tmp_path, task_pattern=pattern)
    before = snapshot(project)

    errors = regenerate(tmp_path, f"task_pattern={pattern}")

    assert "ERROR" not in errors
    assert snapshot(project) == before


def test_a_pattern_whose_files_replace_all_the_old_ones_gives_that_project(
    tmp_path: Path,
) -> None:
    """add_task's own files all have dependency_injected counterparts: nothing of
    add_task is left, and the result is what a fresh generation gives."""
    fresh = snapshot(
        bake_project(tmp_path / "fresh", task_pattern="dependency_injected")
    )
    project = bake_project(tmp_path, task_pattern="add_task")

    errors = regenerate(tmp_path, "task_pattern=dependency_injected")

    assert "ERROR" not in errors
    assert snapshot(project) == fresh


@pytest.mark.parametrize(
    ("made_with", "answers", "left_behind"),
    [
        ({"task_pattern": "celery"}, ["task_pattern=add_task"], "/worker.py"),
        ({}, ["task_pattern=celery"], "/background.py"),
        ({"task_pattern": "dependency_injected"}, [], "/dependencies.py"),
        ({}, ["use_docker=no"], "Dockerfile"),
        ({}, ["license=Proprietary"], "LICENSE"),
        ({}, ["package_name=renamed"], "background_tasks_app/ behind"),
    ],
)
def test_answers_that_would_leave_files_behind_are_refused_before_any_write(
    tmp_path: Path, made_with: dict[str, str], answers: list[str], left_behind: str
) -> None:
    project = bake_project(tmp_path, **made_with)
    (project / "background_tasks_app" / "reports.py").write_text("# the user's own\n")
    before = snapshot(project)

    errors = regenerate(tmp_path, *answers)

    assert f"ERROR: {project.name}/ holds" in errors
    assert left_behind in errors
    assert "Generate it again from the answers it was made with" in errors
    assert f"--replay-file {project / '.cookiecutter.json'}" in errors
    assert snapshot(project) == before
