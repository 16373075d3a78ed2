"""Unit tests of the hooks and of the quoting filters, mostly without baking."""

from __future__ import annotations

import ast
import importlib.util
import itertools
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import (
    CHOICES,
    NOT_IN_A_CLONE,
    TEMPLATE_DIR,
    bake_project,
    run_cookiecutter,
)

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def load(path: Path) -> ModuleType:
    """Import a hook file as it is in the template: its Jinja sits in a string only."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pre_gen = load(TEMPLATE_DIR / "hooks" / "pre_gen_project.py")
post_gen = load(TEMPLATE_DIR / "hooks" / "post_gen_project.py")
extensions = load(TEMPLATE_DIR / "local_extensions.py")

CONTEXT = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
TABLE = CONTEXT["_variants_by_answer"]
VARIANTS_DIR = TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "_variants"

VALID = {
    "project_name": "Background Tasks App",
    "project_slug": "background-tasks-app",
    "package_name": "background_tasks_app",
    "description": "A FastAPI service.",
    "author_name": "Ada Lovelace",
    "author_email": "ada@example.com",
    "version": "0.1.0",
    "task_pattern": "add_task",
    "license": "MIT",
    "use_docker": True,
    "use_github_actions": True,
}


def test_valid_answers_have_no_problem() -> None:
    assert pre_gen.find_problems(VALID) == []


@pytest.mark.parametrize(
    "slug", ["app", "background-tasks-app", "api2", "a1-b2-c3", "x" * 50]
)
def test_good_slugs(slug: str) -> None:
    assert pre_gen.check_slug(slug) is None


@pytest.mark.parametrize(
    ("slug", "suggestion"),
    [
        ("../evil", "evil"),
        ("Has Spaces", "has-spaces"),
        ("1abc", "background-tasks-app"),
        ("trailing-", "trailing"),
        ("double--hyphen", "double-hyphen"),
        ("under_score", "under-score"),
        ("łódź-東京", "lodz-dong-jing"),
        ("Zoë's-Café", "zoes-cafe"),
        ("", "background-tasks-app"),
    ],
)
def test_bad_slugs_name_the_value_and_suggest_cookiecutters_slugify_of_it(
    slug: str, suggestion: str
) -> None:
    message = pre_gen.check_slug(slug, extensions.slug(slug))

    assert message.startswith(f"project_slug {slug!r} ")
    assert message.endswith(f"for example {suggestion!r}")
    assert pre_gen.check_slug(suggestion) is None


@pytest.mark.parametrize("package", ["app", "background_tasks_app", "api_v2"])
def test_good_package_names(package: str) -> None:
    assert pre_gen.check_package(package) is None


@pytest.mark.parametrize(
    ("package", "reason", "suggestion"),
    [
        ("class", "is a Python keyword", "class_app"),
        ("fastapi", "would shadow a module the app imports", "fastapi_app"),
        ("tests", "would shadow a module the app imports", "tests_app"),
        ("json", "would shadow a module the app imports", "json_app"),
        ("bad-name", "is not a Python import name", "bad_name"),
        ("Upper", "is not a Python import name", "upper"),
        ("_private", "is not a Python import name", "private"),
        ("łódź", "is not a Python import name", "lodz"),
        ("a" * 51, "is longer than 50 characters", "background_tasks_app"),
    ],
)
def test_bad_package_names_say_why_and_suggest_a_free_name(
    package: str, reason: str, suggestion: str
) -> None:
    message = pre_gen.check_package(package, extensions.slug(package, "_"))

    assert message.startswith(f"package_name {package!r} {reason}")
    assert message.endswith(f"for example {suggestion!r}")
    assert pre_gen.check_package(suggestion) is None


@pytest.mark.parametrize(
    ("email", "valid"),
    [
        ("ada@example.com", True),
        ("first.last+tag@mail.example.org", True),
        ("not-an-email", False),
        ("ada@", False),
        ("ada@example", False),
        ("two@at@example.com", False),
        ("spa ce@example.com", False),
        ('quote"@example.com', False),
    ],
)
def test_email(email: str, valid: bool) -> None:
    assert (pre_gen.check_email(email) is None) is valid


@pytest.mark.parametrize(
    ("version", "valid"),
    [
        ("0.1.0", True),
        ("1.0", True),
        ("2.0rc1", True),
        ("1.0.post1.dev3", True),
        ("1!2.0", True),
        ("one", False),
        ("v1.0", False),
        ("1.0-beta", False),
        ("01.0", False),
    ],
)
def test_version(version: str, valid: bool) -> None:
    assert (pre_gen.check_version(version) is None) is valid


@pytest.mark.parametrize("text", ["", "   ", "two\nlines", "bell\x07", "tab\tinside"])
def test_free_text_must_be_one_printable_line(text: str) -> None:
    message = pre_gen.check_single_line("author_name", text)

    assert message == (
        f"author_name {text!r} must be one line of printable text,"
        " for example 'Author name'"
    )


def test_every_wrong_answer_is_reported_at_once() -> None:
    answers = {**VALID, "project_slug": "1abc", "author_email": "nope"}

    problems = pre_gen.find_problems(answers)

    assert [problem.split()[0] for problem in problems] == [
        "project_slug",
        "author_email",
    ]


def test_a_package_name_derived_from_a_wrong_slug_is_not_reported_twice() -> None:
    derived = {**VALID, "project_slug": "Has Spaces", "package_name": "Has Spaces"}
    chosen = {**VALID, "project_slug": "Has Spaces", "package_name": "class"}

    assert [p.split()[0] for p in pre_gen.find_problems(derived)] == ["project_slug"]
    assert [p.split()[0] for p in pre_gen.find_problems(chosen)] == [
        "project_slug",
        "package_name",
    ]


def test_main_prints_one_error_line_per_problem_and_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert pre_gen.main({**VALID, "version": "one"}) == 1
    assert capsys.readouterr().err == (
        "ERROR: version 'one' is not a PEP 440 version, for example '0.1.0'\n"
    )
    assert pre_gen.main(VALID) == 0
    assert capsys.readouterr().err == ""


def test_the_table_covers_every_choice_of_cookiecutter_json() -> None:
    for option, choices in TABLE.items():
        if isinstance(CONTEXT[option], bool):  # a yes/no question
            assert list(choices) == ["True", "False"]
        else:
            assert list(choices) == CHOICES[option]
    questions = {name for name in CONTEXT if not name.startswith("_")}
    derived = {"project_slug", "package_name"}  # defaults computed from other answers
    free_text = {"project_name", "description", "author_name", "author_email"}
    assert set(TABLE) == questions - derived - free_text - {"version"}


def every_variant() -> set[str]:
    return {v for choices in TABLE.values() for vs in choices.values() for v in vs}


def test_every_variant_folder_is_owned_by_the_table_and_exists() -> None:
    assert {path.name for path in VARIANTS_DIR.iterdir()} == every_variant()


def test_no_file_is_made_by_two_variants_chosen_together_or_by_a_variant_and_all() -> (
    None
):
    """The post-generation hook replaces files (a project generated again in place
    gets its files back): this is what keeps it from replacing a file by mistake."""
    shared = {
        path.relative_to(VARIANTS_DIR.parent).as_posix()
        for path in VARIANTS_DIR.parent.rglob("*")
        if path.is_file() and VARIANTS_DIR not in path.parents
    }
    for combination in itertools.product(*(c.values() for c in TABLE.values())):
        seen: dict[str, str] = {}
        for variant in itertools.chain.from_iterable(combination):
            for path in pre_gen.variant_files(VARIANTS_DIR / variant, "pkg"):
                shared_path = path.replace("pkg/", "{{cookiecutter.package_name}}/")
                assert shared_path not in shared, f"{variant} replaces shared {path}"
                assert path not in seen, f"{variant} and {seen[path]} both make {path}"
                seen[path] = variant


def test_chosen_variants_follow_the_table() -> None:
    for hook in (pre_gen, post_gen):
        assert hook.read_table(TEMPLATE_DIR) == TABLE
        assert hook.chosen_variants(VALID, TABLE) == [
            "in_process",
            "add_task",
            "license_mit",
            "docker",
            "github_actions",
        ]
        assert hook.chosen_variants(
            {
                **VALID,
                "task_pattern": "dependency_injected",
                "license": "Proprietary",
                "use_docker": False,
                "use_github_actions": False,
            },
            TABLE,
        ) == ["in_process", "dependency_injected"]


def make_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def tree(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in root.rglob("*")
        if path.is_file()
    }


TOY_TABLE = {"pattern": {"a": ["shared", "only_a"], "b": ["shared", "only_b"]}}


def test_prune_merges_the_chosen_variants_and_drops_the_rest(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "README.md": "common",
            "pkg/__init__.py": "common",
            "_variants/shared/pkg/shared.py": "shared",
            "_variants/only_a/pkg/work.py": "a",
            "_variants/only_a/tests/test_work.py": "a",
            "_variants/only_b/pkg/work.py": "b",
        },
    )

    post_gen.prune(tmp_path, {"pattern": "a"}, TOY_TABLE)

    assert tree(tmp_path) == {
        "README.md": "common",
        "pkg/__init__.py": "common",
        "pkg/shared.py": "shared",
        "pkg/work.py": "a",
        "tests/test_work.py": "a",
    }


def test_a_variant_replaces_the_file_an_earlier_generation_left(tmp_path: Path) -> None:
    make_tree(tmp_path, {"pkg/work.py": "edited", "_variants/x/pkg/work.py": "x"})

    post_gen.merge_variant(tmp_path / "_variants" / "x", tmp_path)

    assert tree(tmp_path) == {"pkg/work.py": "x"}


def test_variants_are_dropped_even_when_a_merge_fails(tmp_path: Path) -> None:
    make_tree(tmp_path, {"_variants/only_b/pkg/work.py": "b"})

    with pytest.raises(FileNotFoundError, match="'shared' is missing"):
        post_gen.prune(tmp_path, {"pattern": "b"}, TOY_TABLE)
    assert not (tmp_path / "_variants").exists()


def test_a_missing_variant_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="'gone' is missing"):
        post_gen.merge_variant(tmp_path / "_variants" / "gone", tmp_path)


def test_leftovers_are_the_files_made_before_that_nothing_made_now_replaces(
    tmp_path: Path,
) -> None:
    make_tree(
        tmp_path,
        {
            "pkg/main.py": "in_process and celery both make it",
            "pkg/worker.py": "only celery makes it",
            "pkg/dependencies.py": "the user's own, at dependency_injected's path",
            "Dockerfile": "use_docker was yes",
        },
    )
    before = {"pkg": ["celery", "license_mit", "docker"]}

    assert pre_gen.leftover_files(
        tmp_path, VARIANTS_DIR, before, ["in_process", "add_task", "license_mit"], "pkg"
    ) == ["Dockerfile", "pkg/worker.py"]
    assert (
        pre_gen.leftover_files(
            tmp_path, VARIANTS_DIR, before, ["celery", "license_mit", "docker"], "pkg"
        )
        == []
    )


def test_a_package_folder_under_another_name_is_found(tmp_path: Path) -> None:
    package_template = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
    package_template /= "{{cookiecutter.package_name}}"
    shared = {f"old/{path.name}": "" for path in package_template.iterdir()}
    make_tree(tmp_path, {**shared, "new/__init__.py": "", "docs/log_file.py": ""})

    assert pre_gen.other_packages(tmp_path, package_template, "new") == ["old/"]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"use_docker": "no"}, "use_docker 'no' is not one of: yes, no"),
        ({"task_pattern": "rq"}, "task_pattern 'rq' is not one of: add_task,"),
    ],
)
def test_a_choice_the_template_does_not_have_is_reported(
    answer: dict[str, object], message: str
) -> None:
    [problem] = pre_gen.find_problems({**VALID, **answer}, table=TABLE)

    assert problem.startswith(message)


AWKWARD_TEXT = [
    "plain",
    "O'Reilly",
    'say "hi"',
    "both ' and \"",
    'more "double" than \'single\' "quotes"',
    "back\\slash\\",
    '"""triple"""',
    "Zoë 日本語 😀",
    "tab\there",
    "new\nline\r\x00\x7f\u2028",
    "",
]


@pytest.mark.parametrize("text", AWKWARD_TEXT)
def test_python_string_round_trips(text: str) -> None:
    literal = extensions.python_string(text)

    assert ast.literal_eval(literal) == text
    assert "\n" not in literal


@pytest.mark.parametrize("text", AWKWARD_TEXT)
def test_toml_string_round_trips(text: str) -> None:
    assert tomllib.loads(f"x = {extensions.toml_string(text)}")["x"] == text


def test_python_string_prefers_double_quotes_as_ruff_does() -> None:
    assert extensions.python_string("O'Reilly") == '"O\'Reilly"'
    assert extensions.python_string('say "hi"') == "'say \"hi\"'"
    assert extensions.python_string("Zoë") == '"Zoë"'


def test_this_python_and_cookiecutter_are_recent_enough() -> None:
    installed = pre_gen.installed_cookiecutter()

    assert installed is not None
    assert pre_gen.version_problems(sys.version_info, installed) == []


@pytest.mark.parametrize(
    ("text", "release"),
    [
        ("2.7.1", (2, 7, 1)),
        ("2.10.0rc1", (2, 10, 0)),
        ("3.0.dev2", (3, 0)),
        ("4", (4,)),
    ],
)
def test_releases_are_read_without_their_suffix(
    text: str, release: tuple[int, ...]
) -> None:
    assert pre_gen.release(text) == release


def test_an_old_python_and_cookiecutter_are_each_named_with_the_way_out() -> None:
    python, cookiecutter = pre_gen.version_problems((3, 9, 18), "2.6.0")

    assert python.startswith("Python 3.9 is too old")
    assert "need Python 3.10 or newer" in python
    assert cookiecutter.startswith("cookiecutter 2.6.0 is too old")
    assert "pip install --upgrade 'cookiecutter>=2.7.1'" in cookiecutter


def test_cookiecutter_stops_before_writing_anything_when_too_old(
    tmp_path: Path,
) -> None:
    """The real command line, on a copy of the template that asks for a future
    cookiecutter: it stops with the hook's message, and writes nothing."""
    template = tmp_path / "template"
    shutil.copytree(
        TEMPLATE_DIR, template, ignore=shutil.ignore_patterns(*NOT_IN_A_CLONE)
    )
    hook = template / "hooks" / "pre_gen_project.py"
    hook.write_text(
        hook.read_text(encoding="utf-8").replace(
            "MINIMUM_COOKIECUTTER = (2, 7, 1)", "MINIMUM_COOKIECUTTER = (99,)"
        ),
        encoding="utf-8",
    )
    output = tmp_path / "output"

    result = run_cookiecutter(output, "--no-input", template=str(template))

    assert result.returncode != 0
    assert "ERROR: cookiecutter" in result.stderr
    assert "is too old: this template needs 99 or newer" in result.stderr
    assert not output.exists() or not any(output.iterdir())


def test_generation_reads_the_template_where_it_is_without_copying_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pre_prompt hook would make cookiecutter copy the whole folder first, with
    whatever a checkout holds (a virtual environment: seconds per generation)."""
    copies: list[object] = []
    monkeypatch.setattr(
        "cookiecutter.hooks.create_tmp_repo_dir", lambda repo: copies.append(repo)
    )

    project = bake_project(tmp_path)

    assert (project / "README.md").is_file()
    assert copies == []
    assert not list((TEMPLATE_DIR / "hooks").glob("pre_prompt.*"))
