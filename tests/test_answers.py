"""Hostile answers give a valid project and run nothing; invalid ones leave nothing."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pytest
from conftest import Bake, assert_ruff_clean, run_cookiecutter

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def hostile_names(marker: Path) -> list[str]:
    """Names that break naive quoting; each would create ``marker`` if it ever ran."""
    return [
        f'Quote\'s "Tasks" \\ {marker}',
        f"'; import pathlib; pathlib.Path({str(marker)!r}).touch() #",
        f'"""; __import__("pathlib").Path({str(marker)!r}).touch(); """',
        f"$(touch {marker}) `touch {marker}` && touch {marker}",
        "Zoë's Crème Brûlée 日本語 😀 trailing backslash \\",
    ]


@pytest.mark.parametrize("index", range(5))
def test_a_hostile_name_gives_a_valid_project_and_runs_nothing(
    bake: Bake, tmp_path: Path, index: int
) -> None:
    marker = tmp_path / "executed"
    name = hostile_names(marker)[index]

    project = bake(
        project_name=name,
        project_slug="hostile-app",
        description=name,
        author_name=name,
    )

    assert not marker.exists()
    metadata = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert metadata["project"]["description"] == name
    assert metadata["project"]["authors"][0]["name"] == name
    saved = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))
    assert saved["cookiecutter"]["project_name"] == name
    main = next(project.glob("*/main.py"))
    tree = ast.parse(main.read_text(encoding="utf-8"))
    keywords = {
        keyword.arg: ast.literal_eval(keyword.value)
        for node in ast.walk(tree)
        # FastAPI(...), or the project's subclass of it
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "").startswith("FastAPI")
        for keyword in node.keywords
        if keyword.arg in ("title", "description")
    }
    assert keywords["title"] == keywords["description"] == name
    assert (project / "README.md").read_text(encoding="utf-8").startswith(f"# {name}\n")
    assert_ruff_clean(project)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Zoë's Café", "zoes-cafe"),
        ("Zo\u00eb\u2019s Caf\u00e9", "zoes-cafe"),  # a typographic apostrophe
        ('Zoë\'s "Crème" Brûlée (v2)!', "zoes-creme-brulee-v2"),
    ],
)
def test_the_slug_and_package_derived_from_any_name_are_valid(
    bake: Bake, name: str, slug: str
) -> None:
    project = bake(project_name=name)

    assert project.name == slug
    assert (project / slug.replace("-", "_") / "main.py").is_file()


INVALID_ANSWERS = [
    (
        "project_slug",
        "łódź-東京",
        "ERROR: project_slug 'łódź-東京' is not valid: use lowercase letters, digits"
        " and single hyphens, starting with a letter, for example 'lodz-dong-jing'",
    ),
    (
        "project_slug",
        "../evil",
        "ERROR: project_slug '../evil' is not valid: use lowercase letters, digits"
        " and single hyphens, starting with a letter, for example 'evil'",
    ),
    (
        "project_slug",
        "1abc",
        "ERROR: project_slug '1abc' is not valid: use lowercase letters, digits and"
        " single hyphens, starting with a letter, for example 'background-tasks-app'",
    ),
    (
        "project_slug",
        "Has Spaces",
        "ERROR: project_slug 'Has Spaces' is not valid: use lowercase letters, digits"
        " and single hyphens, starting with a letter, for example 'has-spaces'",
    ),
    (
        "package_name",
        "class",
        "ERROR: package_name 'class' is a Python keyword, for example 'class_app'",
    ),
    (
        "package_name",
        "fastapi",
        "ERROR: package_name 'fastapi' would shadow a module the app imports,"
        " for example 'fastapi_app'",
    ),
    (
        "package_name",
        "bad-name",
        "ERROR: package_name 'bad-name' is not a Python import name: use lowercase"
        " letters, digits and underscores, starting with a letter, for example"
        " 'bad_name'",
    ),
    (
        "project_slug",
        "a" * 51,
        f"ERROR: project_slug {'a' * 51!r} is longer than 50 characters, for example"
        " 'background-tasks-app'",
    ),
    (
        "author_email",
        "not-an-email",
        "ERROR: author_email 'not-an-email' is not an email address, for example"
        " 'you@example.com'",
    ),
    (
        "version",
        "one",
        "ERROR: version 'one' is not a PEP 440 version, for example '0.1.0'",
    ),
    (
        "project_name",
        "Two\nLines",
        "ERROR: project_name 'Two\\nLines' must be one line of printable text,"
        " for example 'Project name'",
    ),
]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    INVALID_ANSWERS,
    ids=[f"{name}={value!r}" for name, value, _ in INVALID_ANSWERS],
)
def test_an_invalid_answer_stops_with_a_clear_line_and_leaves_nothing(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    output_dir = tmp_path / "out" / "here"
    output_dir.mkdir(parents=True)

    result = run_cookiecutter(output_dir, "--no-input", f"{name}={value}")

    assert result.returncode != 0
    assert message in result.stderr.splitlines()
    assert list((tmp_path / "out").rglob("*")) == [output_dir]
