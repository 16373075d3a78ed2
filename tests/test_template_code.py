"""The template's own code is clean, and CI runs what the README says."""

from __future__ import annotations

from conftest import TEMPLATE_DIR, assert_ruff_clean


def test_the_template_code_is_ruff_clean() -> None:
    assert_ruff_clean(TEMPLATE_DIR)


def test_ci_runs_the_test_command_that_the_readme_gives() -> None:
    readme = (TEMPLATE_DIR / "README.md").read_text(encoding="utf-8")
    ci_script = (TEMPLATE_DIR / ".ci" / "run").read_text(encoding="utf-8")
    section = readme.split("Run the template's own test suite", 1)[1]
    command = section.split("```sh\n", 1)[1].split("\n```", 1)[0]

    assert command.endswith("python -m pytest")
    assert command in ci_script.splitlines()
