"""The template's own code is clean, and CI runs what the README says."""

from __future__ import annotations

import json
import re

import yaml
from conftest import TEMPLATE_DIR, assert_matches_builtin_schema, assert_ruff_clean


def test_the_template_code_is_ruff_clean() -> None:
    assert_ruff_clean(TEMPLATE_DIR)


def readme_test_command() -> str:
    readme = (TEMPLATE_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("Run the template's own test suite", 1)[1]
    return section.split("```sh\n", 1)[1].split("\n```", 1)[0]


def test_ci_runs_the_test_command_that_the_readme_gives() -> None:
    ci_script = (TEMPLATE_DIR / ".ci" / "run").read_text(encoding="utf-8")
    command = readme_test_command()

    assert command.endswith("python -m pytest")
    assert command in ci_script.splitlines()


def test_the_readme_options_table_matches_cookiecutter_json() -> None:
    """Every question is in the table with its default, and the table has no other."""
    context = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text("utf-8"))
    readme = (TEMPLATE_DIR / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Options\n", 1)[1].split("\n\n", 1)[0].strip()
    rows = [line.split(" | ") for line in table.splitlines()[2:]]
    documented = {
        name: default_cell
        for names_cell, default_cell, _ in rows
        for name in re.findall(r"`(\w+)`", names_cell)
    }

    questions = {name: value for name, value in context.items() if name[0] != "_"}
    assert set(documented) == set(questions)
    for name, value in questions.items():
        if isinstance(value, bool):
            default = "yes" if value else "no"
        elif isinstance(value, list):
            default = value[0]
        elif "{{" in value:  # derived from an earlier answer: the table says how
            continue
        else:
            default = value
        assert f"`{default}`" in documented[name], name


def test_the_template_workflow_follows_the_schema_and_runs_the_readme_command() -> None:
    workflow = TEMPLATE_DIR / ".github" / "workflows" / "tests.yml"

    assert_matches_builtin_schema("vendor.github-workflows", workflow)
    jobs = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]
    assert jobs["hooks-and-bakes"]["strategy"]["matrix"]["os"] == [
        "ubuntu-latest",
        "macos-latest",
        "windows-latest",
    ]
    everything = jobs["everything"]
    assert set(everything["services"]) == {"redis", "rabbitmq"}
    assert {"run": readme_test_command()} in everything["steps"]
