"""The tools a generated project comes with, run for real on a bake."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import (
    NOT_IN_A_CLONE,
    PATTERNS,
    TEMPLATE_DIR,
    Bake,
    assert_matches_builtin_schema,
    bake_project,
    installed_tool,
    run_command,
)


def run(*command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in ``cwd``, with ``env`` added to this process's environment."""
    return run_command(*command, cwd=cwd, env={**os.environ, **env})


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


def load_yaml(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_dockerfile_passes_hadolint(
    baked_patterns: dict[str, Path], pattern: str
) -> None:
    result = run(installed_tool("hadolint"), "Dockerfile", cwd=baked_patterns[pattern])

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("pattern", PATTERNS)
def test_compose_yaml_follows_the_compose_specification(
    baked_patterns: dict[str, Path], pattern: str
) -> None:
    project = baked_patterns[pattern]

    assert_matches_builtin_schema("vendor.compose-spec", project / "compose.yaml")
    services = set(load_yaml(project / "compose.yaml")["services"])
    celery = {"api", "worker", "beat", "redis", "flower"}
    expected = celery if pattern == "celery" else {"api"}
    assert services == expected


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_workflow_follows_the_github_workflow_schema(
    baked_patterns: dict[str, Path], pattern: str
) -> None:
    project = baked_patterns[pattern]
    workflow = project / ".github" / "workflows" / "ci.yml"

    assert_matches_builtin_schema("vendor.github-workflows", workflow)
    jobs = load_yaml(workflow)["jobs"]
    test_job = jobs["test"]
    assert test_job["strategy"]["matrix"]["python-version"] == [
        "3.10",
        "3.11",
        "3.12",
        "3.13",
    ]
    assert {"run": "python -m pytest"} in test_job["steps"]
    assert ("redis" in test_job.get("services", {})) == (pattern == "celery")
    on_redis = "python -m pytest --broker-url redis://127.0.0.1:6379/0"
    runs = [step.get("run", "") for step in test_job["steps"]]
    assert any(run.startswith(on_redis) for run in runs) == (pattern == "celery")
    image_job = jobs["image"]
    assert image_job["strategy"]["matrix"]["python-version"] == ["3.10", "3.13"]
    build = "docker build --build-arg PYTHON_VERSION=${{ matrix.python-version }} "
    assert any(step.get("run", "").startswith(build) for step in image_job["steps"])
    compose_runs = [step.get("run") for step in jobs["compose"]["steps"]]
    assert "docker compose up --build --wait" in compose_runs


def test_without_docker_the_workflow_builds_no_image(bake: Bake) -> None:
    workflow = bake(use_docker="no") / ".github" / "workflows" / "ci.yml"

    assert_matches_builtin_schema("vendor.github-workflows", workflow)
    assert set(load_yaml(workflow)["jobs"]) == {"lint", "test"}
    assert "docker" not in workflow.read_text(encoding="utf-8")


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}


def commit_all(repository: Path, message: str) -> str:
    """Commit every change in ``repository``; return the new commit's hash."""
    for command in (("add", "--all"), ("commit", "--quiet", "--message", message)):
        result = run("git", *command, cwd=repository, **GIT_IDENTITY)
        assert result.returncode == 0, result.stdout + result.stderr
    return run("git", "rev-parse", "HEAD", cwd=repository).stdout.strip()


def test_a_linked_project_takes_a_template_change_through_cruft(
    tmp_path: Path,
) -> None:
    """The README's update path: link a generated project to the template commit it
    came from, using its answers file, change the template, and update."""
    template = tmp_path / "template"
    shutil.copytree(
        TEMPLATE_DIR, template, ignore=shutil.ignore_patterns(*NOT_IN_A_CLONE)
    )
    assert run("git", "init", "--quiet", cwd=template).returncode == 0
    generated_from = commit_all(template, "The template as it is")
    project = bake_project(tmp_path / "projects", task_pattern="celery")
    assert run("git", "init", "--quiet", cwd=project).returncode == 0
    commit_all(project, "Generated")
    answers = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))
    cruft = installed_tool("cruft")

    link = run(
        cruft, "link", "--no-input", "--checkout", generated_from,
        "--extra-context", json.dumps(answers["cookiecutter"]), str(template),
        cwd=project,
    )  # fmt: skip

    assert link.returncode == 0, link.stdout + link.stderr
    commit_all(project, "Linked to the template")
    env_example = (
        template / "{{cookiecutter.project_slug}}/_variants/celery/.env.example"
    )
    env_example.write_text(
        env_example.read_text(encoding="utf-8") + "# A line the template added.\n",
        encoding="utf-8",
    )
    commit_all(template, "A change to the template")
    readme = project / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nOur own notes.\n")
    commit_all(project, "A change of the project's own")

    update = run(cruft, "update", "--skip-apply-ask", cwd=project)

    assert update.returncode == 0, update.stdout + update.stderr
    changed = run("git", "status", "--porcelain", cwd=project).stdout.splitlines()
    assert sorted(line[3:] for line in changed) == [".cruft.json", ".env.example"]
    assert (
        (project / ".env.example")
        .read_text()
        .endswith("# A line the template added.\n")
    )
    assert readme.read_text(encoding="utf-8").endswith("\nOur own notes.\n")
    assert not list(project.rglob("*.rej"))
