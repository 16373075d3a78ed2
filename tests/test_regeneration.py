"""Generating again over a project, with ``cookiecutter -f``, as its user would."""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from pathlib import Path

import pytest
from conftest import bake_project, run_command, run_cookiecutter, template_source


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


def suggested_command(errors: str) -> str:
    """The command the refusal gives, between "made with (" and "), or into"."""
    return errors.split("answers it was made with (", 1)[1].split("), or into", 1)[0]


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
        ({}, ["package_name=renamed"], "(background_tasks_app/)"),
    ],
)
def test_answers_that_would_leave_files_behind_are_refused_before_any_write(
    tmp_path: Path, made_with: dict[str, str], answers: list[str], left_behind: str
) -> None:
    project = bake_project(tmp_path, **made_with)
    (project / "background_tasks_app" / "reports.py").write_text("# the user's own\n")
    before = snapshot(project)

    errors = regenerate(tmp_path, *answers)

    assert f"ERROR: {project.name}/ holds files of other answers" in errors
    assert left_behind in errors
    assert snapshot(project) == before


def test_the_suggested_command_regenerates_the_project_from_its_answers(
    tmp_path: Path,
) -> None:
    """Even from a folder whose name a shell would expand, and from another folder."""
    output_dir = tmp_path / "price $5 (old); don't"
    project = bake_project(output_dir, task_pattern="celery")
    before = snapshot(project)
    errors = regenerate(output_dir, "task_pattern=add_task")

    result = run_command("sh", "-c", suggested_command(errors), cwd=tmp_path.parent)

    assert result.returncode == 0, result.stderr
    assert snapshot(project) == before


def test_a_relative_template_path_is_checked_as_well(tmp_path: Path) -> None:
    """The README's quick start runs ``cookiecutter . --output-dir ..``."""
    project = bake_project(tmp_path, task_pattern="add_task")
    before = snapshot(project)
    template = Path(template_source())

    result = run_command(
        sys.executable,
        *("-m", "cookiecutter", "-f", "--no-input", "."),
        *("--output-dir", str(tmp_path), "task_pattern=celery"),
        cwd=template,
    )

    assert result.returncode != 0
    assert "/background.py" in result.stderr
    assert shlex.quote(str(template)) in result.stderr
    assert snapshot(project) == before


def test_files_of_the_users_own_at_the_path_of_another_choice_are_left_alone(
    tmp_path: Path,
) -> None:
    """The project's .cookiecutter.json says which choices made its files."""
    answers = {"license": "Proprietary", "use_docker": "no"}
    project = bake_project(tmp_path, **answers)
    (project / "LICENSE").write_text("Copyright ACME.\n", encoding="utf-8")
    (project / "tests" / "test_api.py").write_text("# the user's own\n")
    before = snapshot(project)

    errors = regenerate(tmp_path, "license=Proprietary", "use_docker=no")

    assert "ERROR" not in errors
    assert snapshot(project) == before


def test_without_a_record_every_other_choice_and_an_old_package_count(
    tmp_path: Path,
) -> None:
    project = bake_project(tmp_path)
    (project / ".cookiecutter.json").unlink()

    errors = regenerate(tmp_path, "package_name=renamed")

    assert "(background_tasks_app/)" in errors
    assert not (project / "renamed").exists()


def test_a_package_renamed_by_hand_is_generated_under_its_new_name(
    tmp_path: Path,
) -> None:
    project = bake_project(tmp_path)
    shutil.move(project / "background_tasks_app", project / "renamed")

    errors = regenerate(tmp_path, "package_name=renamed")

    assert "ERROR" not in errors
    assert not (project / "background_tasks_app").exists()


def test_a_hand_edited_replay_file_gets_one_line_per_wrong_choice(
    tmp_path: Path,
) -> None:
    project = bake_project(tmp_path)
    record = json.loads((project / ".cookiecutter.json").read_text("utf-8"))
    record["cookiecutter"]["use_docker"] = "no"
    replay = tmp_path / "answers.json"
    replay.write_text(json.dumps(record), encoding="utf-8")

    result = run_cookiecutter(tmp_path, "-f", "--replay-file", str(replay))

    assert result.returncode != 0
    assert "ERROR: use_docker 'no' is not one of: yes, no" in result.stderr
    assert "KeyError" not in result.stderr
