"""Every pattern and every license bakes into exactly the expected, clean project."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import (
    CHOICES,
    PATTERNS,
    README_PIP_TEST,
    README_UV_TEST,
    Bake,
    assert_ruff_clean,
    run_cookiecutter,
    template_source,
)
from cookiecutter.main import cookiecutter
from extension_kit import apply_readme_example

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

PACKAGE = "background_tasks_app"

DOCKER_FILES = {".dockerignore", "Dockerfile", "compose.yaml"}
GITHUB_ACTIONS_FILES = {".github/workflows/ci.yml"}
COMMON_FILES = (
    DOCKER_FILES
    | GITHUB_ACTIONS_FILES
    | {
        ".cookiecutter.json",
        ".env.example",
        ".gitignore",
        ".pre-commit-config.yaml",
        "LICENSE",
        "README.md",
        "pyproject.toml",
        f"{PACKAGE}/__init__.py",
        f"{PACKAGE}/config.py",
        f"{PACKAGE}/health.py",
        f"{PACKAGE}/log_file.py",
        f"{PACKAGE}/logging_config.py",
        f"{PACKAGE}/main.py",
        f"{PACKAGE}/notifications.py",
        f"{PACKAGE}/params.py",
        f"{PACKAGE}/request_id.py",
        f"{PACKAGE}/tasks.py",
        "tests/__init__.py",
        "tests/conftest.py",
        "tests/test_env_example.py",
        "tests/test_health.py",
        "tests/test_log_file.py",
        "tests/test_logging_config.py",
        "tests/test_request_id.py",
        "tests/server_log.py",
    }
)
IN_PROCESS_FILES = COMMON_FILES | {
    f"{PACKAGE}/background.py",
    "tests/test_background.py",
    "tests/test_notifications.py",
}
EXPECTED_FILES = {
    "add_task": IN_PROCESS_FILES,
    "dependency_injected": IN_PROCESS_FILES | {f"{PACKAGE}/dependencies.py"},
    "celery": COMMON_FILES
    | {
        f"{PACKAGE}/embedded_broker.py",
        f"{PACKAGE}/result_backend.py",
        f"{PACKAGE}/task_queue.py",
        f"{PACKAGE}/worker.py",
        "tests/support.py",
        "tests/test_api.py",
        "tests/test_cross_process.py",
        "tests/test_task_queue.py",
        "tests/test_tasks.py",
    },
}

# Words that belong to some choices: a project shows none that its own choice lacks.
MARKERS = {
    "task_pattern": {
        "add_task": [r"Notification sent in the background", r"BackgroundTasks"],
        "dependency_injected": [
            r"dependency_injected",
            r"DeferredLog",
            r"found query",
            r"Message sent",
            r"sub-dependenc",
            r"BackgroundTasks",
        ],
        "celery": [r"(?i)celery", r"Notification queued", r"/tasks/"],
    },
    "license": {
        "MIT": [r"\bMIT\b"],
        "Apache-2.0": [r"Apache"],
        "BSD-3-Clause": [r"\bBSD\b"],
        "Proprietary": [r"Private :: Do Not Upload"],
    },
}

TEMPLATE_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|cookiecutter|_variants")
# GitHub Actions' own expressions, which the workflow must keep: ${{ matrix.x }}
WORKFLOW_EXPRESSION = re.compile(r"\$\{\{[^{}]*\}\}")

LICENSE_FIRST_LINES = {
    "MIT": "MIT License",
    "Apache-2.0": "Apache License",
    "BSD-3-Clause": "BSD 3-Clause License",
}

BAKES = [
    pytest.param(pattern, license_, id=f"{pattern}-{license_}")
    for pattern in PATTERNS
    for license_ in CHOICES["license"]
]


def project_files(project: Path) -> dict[str, str]:
    return {
        path.relative_to(project).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(project.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize(("pattern", "license_"), BAKES)
def test_bake_is_complete_and_clean(bake: Bake, pattern: str, license_: str) -> None:
    project = bake(task_pattern=pattern, license=license_)
    files = project_files(project)

    expected = set(EXPECTED_FILES[pattern])
    if license_ == "Proprietary":
        expected.remove("LICENSE")
    assert set(files) == expected
    assert project.name == "background-tasks-app"

    for name, text in files.items():
        assert text.strip(), f"{name} is empty"
        leftover = (
            None
            if name == ".cookiecutter.json"
            else TEMPLATE_SYNTAX.search(WORKFLOW_EXPRESSION.sub("", text))
        )
        assert leftover is None, f"{name} holds {leftover.group()!r}"
        if name.endswith(".py"):
            compile(text, name, "exec")

    chosen = {"task_pattern": pattern, "license": license_}
    for option, markers in MARKERS.items():
        own = set(markers[chosen[option]])
        for choice, patterns in markers.items():
            for marker in set(patterns) - own:
                for name, text in files.items():
                    found = re.search(marker, text)
                    assert found is None, f"{name} mentions {choice}: {found.group()!r}"

    assert_ruff_clean(project)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_docker_and_github_actions_can_be_left_out(bake: Bake, pattern: str) -> None:
    project = bake(task_pattern=pattern, use_docker="no", use_github_actions="no")
    files = project_files(project)

    expected = EXPECTED_FILES[pattern] - DOCKER_FILES - GITHUB_ACTIONS_FILES
    assert set(files) == expected
    for name, text in files.items():
        assert not re.search(r"Dockerfile|compose|\.github|GitHub", text), name
    assert_ruff_clean(project)


@pytest.mark.parametrize("license_", CHOICES["license"])
def test_license_matches_the_choice(bake: Bake, license_: str) -> None:
    project = bake(license=license_, author_name="Ada Lovelace")
    metadata = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    license_file = project / "LICENSE"

    if license_ == "Proprietary":
        assert not license_file.exists()
        assert "license" not in metadata["project"]
        assert "Private :: Do Not Upload" in metadata["project"]["classifiers"]
        return
    text = license_file.read_text(encoding="utf-8")
    assert text.splitlines()[0].strip() == LICENSE_FIRST_LINES[license_]
    assert metadata["project"]["license"] == license_
    assert metadata["project"]["license-files"] == ["LICENSE"]
    if license_ != "Apache-2.0":  # Apache's text carries no copyright line of its own
        year = datetime.now(timezone.utc).year
        assert f"Copyright (c) {year}" in text
        assert "Ada Lovelace" in text


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_longest_allowed_names_still_lint_clean(bake: Bake, pattern: str) -> None:
    project = bake(task_pattern=pattern, project_slug="a" * 49 + "z")

    assert (project / ("a" * 49 + "z") / "main.py").is_file()
    assert_ruff_clean(project)


def test_metadata_and_answers_file_hold_the_answers(bake: Bake) -> None:
    answers = {
        "project_name": "Mail Relay",
        "description": "Relays mail in the background.",
        "author_name": "Grace Hopper",
        "author_email": "grace@example.org",
        "version": "2.1.0rc1",
        "task_pattern": "dependency_injected",
        "license": "BSD-3-Clause",
    }
    project = bake(**answers)
    project_table = tomllib.loads(
        (project / "pyproject.toml").read_text(encoding="utf-8")
    )["project"]
    saved = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))

    assert project.name == "mail-relay"
    assert (project / "mail_relay" / "main.py").is_file()
    assert project_table["name"] == "mail-relay"
    assert project_table["dynamic"] == ["version"]
    assert '__version__ = "2.1.0rc1"' in (
        project / "mail_relay" / "__init__.py"
    ).read_text(encoding="utf-8")
    assert project_table["description"] == "Relays mail in the background."
    assert project_table["authors"] == [
        {"name": "Grace Hopper", "email": "grace@example.org"}
    ]
    assert saved == {
        "cookiecutter": {
            **answers,
            "project_slug": "mail-relay",
            "package_name": "mail_relay",
            "use_docker": True,
            "use_github_actions": True,
        }
    }


def test_the_answers_file_replays_the_same_project(bake: Bake, tmp_path: Path) -> None:
    first = bake(
        project_name="Replayed Service",
        task_pattern="dependency_injected",
        license="Apache-2.0",
    )
    second_dir = tmp_path / "replayed"

    second = Path(
        cookiecutter(
            template_source(),
            replay=str(first / ".cookiecutter.json"),
            output_dir=str(second_dir),
        )
    )

    assert project_files(second) == project_files(first)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_readme_gives_the_install_and_run_and_test_commands(
    baked_patterns: dict[str, Path], pattern: str
) -> None:
    readme = (baked_patterns[pattern] / "README.md").read_text(encoding="utf-8")

    assert "pip install -e . && fastapi run" in readme
    assert README_PIP_TEST in readme
    assert README_UV_TEST in readme
    assert "APP_LOG_FILE" in readme


def test_generates_from_a_git_repository_as_from_github(tmp_path: Path) -> None:
    """``cookiecutter gh:...`` clones the repository first; a file URL does the same."""
    repo = Path(shutil.copytree(template_source(), tmp_path / "bgtasks-template"))
    for command in (
        ["init", "--quiet"],
        ["add", "--all"],
        ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "t"],
    ):
        subprocess.run(["git", *command], cwd=repo, check=True)
    output_dir = tmp_path / "out"

    result = run_cookiecutter(output_dir, "--no-input", template=f"git+{repo.as_uri()}")

    assert result.returncode == 0, result.stderr
    project = output_dir / "background-tasks-app"
    assert (project / "background_tasks_app").is_dir()
    assert f"Created {project}: its README.md says how to run and test it." in (
        result.stdout.splitlines()
    )


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_readme_way_to_add_a_task_and_an_endpoint_lints_and_imports(
    bake: Bake, pattern: str
) -> None:
    """Its code blocks, pasted where the README says, need no import it leaves out.
    (That the way works, the extension kit shows in test_generated_projects.py.)"""
    project = bake(task_pattern=pattern)

    apply_readme_example(project, PACKAGE)

    assert_ruff_clean(project)
    for module in ("tasks.py", "reports.py", "main.py"):
        compile((project / PACKAGE / module).read_text("utf-8"), module, "exec")
