"""Check, before any file is written, that the generation can give a working project.

Three kinds of problem stop it, one line each, naming what is wrong and what to do: a
Python or cookiecutter too old for the template; an answer that would give a broken
project (with a valid example); and a folder generated before with other answers, over
which ``cookiecutter -f`` would leave files of choices no longer made. Cookiecutter
then removes the project folder if it made it, so nothing half-written is left; a
folder that was there before is left as it was.
Standard library only: this runs on the user's machine, on any OS. Its syntax is
that of Python 3.7, on which an old cookiecutter may run it, so that an old Python
hears why it is too old instead of failing on a newer syntax.
"""

from __future__ import annotations

import json
import keyword
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

# The oldest versions the template and its projects are tested with.
MINIMUM_PYTHON = (3, 10)
MINIMUM_COOKIECUTTER = (2, 7, 1)

# Longer names would push the generated imports past the formatter's line length.
MAX_NAME_LENGTH = 50
SLUG = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
PACKAGE = re.compile(r"[a-z][a-z0-9_]*")
EMAIL = re.compile(r"[^@\s\"'<>(),;:]+@[^@\s\"'<>(),;:]+\.[^@\s\"'<>(),;:.]+")
# PEP 440 public version in canonical form: 1.0, 0.1.0, 2.0rc1, 1.0.post1, 1.0.dev3.
VERSION = re.compile(
    r"(?:[1-9][0-9]*!)?(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))*"
    r"(?:(?:a|b|rc)(?:0|[1-9][0-9]*))?(?:\.post(?:0|[1-9][0-9]*))?"
    r"(?:\.dev(?:0|[1-9][0-9]*))?"
)

# Import names the generated project needs for itself: a package named like one of them
# would shadow it and break the app on start-up.
TAKEN_IMPORT_NAMES = frozenset(
    {
        "anyio",
        "celery",
        "email_validator",
        "fastapi",
        "httpx",
        "httpx2",
        "kombu",
        "pydantic",
        "pydantic_core",
        "pydantic_settings",
        "pytest",
        "redis",
        "ruff",
        "starlette",
        "test",
        "tests",
        "uvicorn",
    }
) | frozenset(getattr(sys, "stdlib_module_names", ()))

FREE_TEXT = ("project_name", "description", "author_name")

DEFAULT_SLUG = "background-tasks-app"
DEFAULT_PACKAGE = "background_tasks_app"

VARIANTS_DIR = "_variants"
TABLE = "_variants_by_answer"
ANSWERS_FILE = ".cookiecutter.json"


def release(text: str) -> tuple[int, ...]:
    """``"2.6.0"`` gives ``(2, 6, 0)``; a suffix (``rc1``, ``.dev0``) is dropped."""
    numbers = []
    for part in text.split("."):
        digits = ""
        for char in part:
            if not char.isdigit():
                break
            digits += char
        if not digits:
            break
        numbers.append(int(digits))
        if len(digits) < len(part):
            break
    return tuple(numbers)


def version_problems(python: tuple[int, ...], cookiecutter: str | None) -> list[str]:
    """The reasons, one line each, that ``python`` (a version tuple) and
    ``cookiecutter`` (a version string, or None when it cannot be read) are too old."""
    found = []
    if tuple(python[:2]) < MINIMUM_PYTHON:
        needed = ".".join(map(str, MINIMUM_PYTHON))
        found.append(
            f"Python {python[0]}.{python[1]} is too old: this template and its projects"
            f" need Python {needed} or newer. Install cookiecutter with a newer Python,"
            " for example: python3.12 -m pip install cookiecutter"
        )
    if cookiecutter is not None and release(cookiecutter) < MINIMUM_COOKIECUTTER:
        needed = ".".join(map(str, MINIMUM_COOKIECUTTER))
        found.append(
            f"cookiecutter {cookiecutter} is too old: this template needs {needed} or"
            " newer. Upgrade it:"
            f" python -m pip install --upgrade 'cookiecutter>={needed}'"
        )
    return found


def installed_cookiecutter() -> str | None:
    """The running cookiecutter's version (hooks run on its Python), or None where it
    cannot be read: on Python 3.7 (no importlib.metadata) or from a source tree."""
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:
        return None
    try:
        return version("cookiecutter")
    except PackageNotFoundError:
        return None


def _suggest_slug(slugified: str) -> str:
    return slugified if SLUG.fullmatch(slugified) else DEFAULT_SLUG


def _suggest_package(slugified: str) -> str:
    """``slugified`` (the value through cookiecutter's slugify, with underscores) if
    it is a free import name; with ``_app`` added if it is taken; else the default."""
    for package in (slugified, slugified + "_app"):
        if PACKAGE.fullmatch(package) and not _package_taken(package):
            return package
    return DEFAULT_PACKAGE


def _package_taken(name: str) -> bool:
    return keyword.iskeyword(name) or name in TAKEN_IMPORT_NAMES


def check_length(name: str, value: str, example: str) -> str | None:
    if len(value) <= MAX_NAME_LENGTH:
        return None
    return (
        f"{name} {value!r} is longer than {MAX_NAME_LENGTH} characters,"
        f" for example {example!r}"
    )


def check_slug(value: str, slugified: str = "") -> str | None:
    """``slugified`` is ``value`` through cookiecutter's slugify, the suggested fix."""
    if not SLUG.fullmatch(value):
        return (
            f"project_slug {value!r} is not valid: use lowercase letters, digits"
            " and single hyphens, starting with a letter, for example"
            f" {_suggest_slug(slugified)!r}"
        )
    return check_length("project_slug", value, DEFAULT_SLUG)


def check_package(value: str, slugified: str = "") -> str | None:
    """``slugified`` is ``value`` through cookiecutter's slugify with underscores."""
    if not PACKAGE.fullmatch(value):
        reason = (
            "is not a Python import name: use lowercase letters, digits and"
            " underscores, starting with a letter"
        )
    elif keyword.iskeyword(value):
        reason = "is a Python keyword"
    elif value in TAKEN_IMPORT_NAMES:
        reason = "would shadow a module the app imports"
    else:
        return check_length("package_name", value, DEFAULT_PACKAGE)
    return (
        f"package_name {value!r} {reason}, for example {_suggest_package(slugified)!r}"
    )


def check_email(value: str) -> str | None:
    if EMAIL.fullmatch(value):
        return None
    return (
        f"author_email {value!r} is not an email address, for example 'you@example.com'"
    )


def check_version(value: str) -> str | None:
    if VERSION.fullmatch(value):
        return None
    return f"version {value!r} is not a PEP 440 version, for example '0.1.0'"


def check_single_line(name: str, value: str) -> str | None:
    if value.strip() and all(char.isprintable() for char in value):
        return None
    return (
        f"{name} {value!r} must be one line of printable text, for example"
        f" {name.replace('_', ' ').capitalize()!r}"
    )


def find_problems(
    answers: dict[str, object],
    suggestions: dict[str, str] | None = None,
    table: dict[str, dict[str, list[str]]] | None = None,
) -> list[str]:
    """Return one message for each answer that would give a broken project.

    ``suggestions`` holds ``project_slug`` and ``package_name`` as cookiecutter's
    slugify gives them, for the examples of a valid value; ``table`` is the
    template's ``_variants_by_answer``, whose choices the answers must be among (a
    hand-edited replay file can hold anything)."""
    suggestions = suggestions or {}
    problems = [check_single_line(name, str(answers[name])) for name in FREE_TEXT]
    slug, package = str(answers["project_slug"]), str(answers["package_name"])
    slug_problem = check_slug(slug, suggestions.get("project_slug", ""))
    # The default package name is the slug with underscores: when the slug is wrong,
    # fixing it fixes that package name too, so only the slug is reported.
    derived = package == slug.replace("-", "_")
    problems += [
        slug_problem,
        None
        if slug_problem and derived
        else check_package(package, suggestions.get("package_name", "")),
        check_email(str(answers["author_email"])),
        check_version(str(answers["version"])),
    ]
    problems += [
        check_choice(answers, option, list(c)) for option, c in (table or {}).items()
    ]
    return [problem for problem in problems if problem]


def check_choice(
    answers: dict[str, object], option: str, choices: list[str]
) -> str | None:
    value = answers.get(option)
    if str(value) in choices:
        return None
    # Yes/no questions are keyed by the boolean's str(): True and False.
    shown = [{"True": "yes", "False": "no"}.get(choice, choice) for choice in choices]
    return f"{option} {value!r} is not one of: {', '.join(shown)}"


def read_table(template_dir: Path) -> dict[str, dict[str, list[str]]]:
    """The template's own ``_variants_by_answer`` (cookiecutter.json): which variant
    folders each choice owns. Read from the template, not from the answers, which a
    replay file may have kept from an older version of the template."""
    context = json.loads((template_dir / "cookiecutter.json").read_text("utf-8"))
    table: dict[str, dict[str, list[str]]] = context[TABLE]
    return table


def chosen_variants(
    answers: dict[str, object], table: dict[str, dict[str, list[str]]]
) -> list[str]:
    """The variant folders the answers select, in the table's order."""
    return [
        variant
        for option, choices in table.items()
        for variant in choices[str(answers[option])]
    ]


def _template_folder(template_dir: Path, variable: str) -> Path:
    """The template's one folder whose name is made from ``variable``."""
    [folder] = [p for p in template_dir.iterdir() if p.is_dir() and variable in p.name]
    return folder


def variant_files(variant_dir: Path, package: str) -> set[str]:
    """The paths, relative to the project, where the files of ``variant_dir`` land."""
    return {
        "/".join(
            package if "cookiecutter.package_name" in part else part
            for part in path.relative_to(variant_dir).parts
        )
        for path in variant_dir.rglob("*")
        if path.is_file()
    }


def leftover_files(
    project_dir: Path,
    variants_dir: Path,
    made_before: dict[str, list[str]],
    made_now: list[str],
    package: str,
) -> list[str]:
    """The files in ``project_dir`` that the variants of ``made_before`` (variant
    folders by the package name they were made with) put there and the variants of
    ``made_now`` (made with ``package``) do not replace: generating over them would
    leave them behind."""
    replaced: set[str] = set()
    for variant in made_now:
        replaced |= variant_files(variants_dir / variant, package)
    before: set[str] = set()
    for old_package, variants in made_before.items():
        for variant in set(variants) - set(made_now):
            before |= variant_files(variants_dir / variant, old_package)
    return sorted(path for path in before - replaced if (project_dir / path).exists())


def other_packages(
    project_dir: Path, package_template: Path, package: str
) -> list[str]:
    """Top-level folders of ``project_dir``, other than ``package``, that hold every
    file of the template's package folder: the app's package under an older name."""
    names = [path.name for path in package_template.iterdir() if path.is_file()]
    return sorted(
        f"{folder.name}/"
        for folder in project_dir.iterdir()
        if folder.is_dir()
        and folder.name != package
        and all((folder / name).is_file() for name in names)
    )


def previous_answers(
    project_dir: Path, table: dict[str, dict[str, list[str]]]
) -> dict[str, object] | None:
    """The answers recorded in the project's .cookiecutter.json, or None when there is
    none, or it cannot be read, or it names choices the template no longer has."""
    try:
        recorded = json.loads((project_dir / ANSWERS_FILE).read_text("utf-8"))
        answers = dict(recorded["cookiecutter"])
        chosen_variants(answers, table)  # KeyError for an unknown option or choice
        return {**answers, "package_name": str(answers["package_name"])}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def regenerate_command(
    project_dir: Path, answers: dict[str, object], template_dir: Path
) -> str:
    """The command that generates ``project_dir`` again from its recorded answers."""
    template = str(answers.get("_template", ""))
    remote = re.match(r"[A-Za-z][\w+.-]+:|git@", template)  # gh:..., https://...
    words = [
        sys.executable,
        "-m",
        "cookiecutter",
        "-f",
        "--replay-file",
        str(project_dir / ANSWERS_FILE),
        "--output-dir",
        str(project_dir.parent),
        template if remote or template.endswith(".zip") else str(template_dir),
    ]
    if os.name == "nt":
        return subprocess.list2cmdline(words)
    return " ".join(shlex.quote(word) for word in words)


def check_regeneration(
    project_dir: Path,
    answers: dict[str, object],
    template_dir: Path,
    table: dict[str, dict[str, list[str]]],
) -> str | None:
    """Refuse to generate over a project made with answers that this generation would
    leave traces of: files of a choice no longer made, or a package of another name.

    The earlier answers come from the project's .cookiecutter.json. Without it, the
    files of every choice not made now count, and any folder holding the app's
    package files under another name."""
    project_template = _template_folder(template_dir, "cookiecutter.project_slug")
    variants_dir = project_template / VARIANTS_DIR
    package = str(answers["package_name"])
    made_now = chosen_variants(answers, table)
    previous = previous_answers(project_dir, table)
    if previous is not None:
        old_package = str(previous["package_name"])
        made_before = {old_package: chosen_variants(previous, table)}
        stale = [f"{old_package}/"] if old_package != package else []
        stale = [name for name in stale if (project_dir / name).is_dir()]
    else:
        every = [v for choices in table.values() for vs in choices.values() for v in vs]
        made_before = {package: every}
        package_template = _template_folder(
            project_template, "cookiecutter.package_name"
        )
        stale = other_packages(project_dir, package_template, package)
    leftovers = stale + leftover_files(
        project_dir, variants_dir, made_before, made_now, package
    )
    if not leftovers:
        return None
    shown = ", ".join(leftovers[:4])
    more = f" and {len(leftovers) - 4} more" if len(leftovers) > 4 else ""
    command = regenerate_command(project_dir, answers, template_dir)
    return (
        f"{project_dir.name}/ holds files of other answers that these answers do not"
        f" make ({shown}{more}): generating over it would leave them behind. Generate"
        f" it again from the answers it was made with ({command}), or into another"
        " folder."
    )


def main(
    answers: dict[str, object],
    suggestions: dict[str, str] | None = None,
    project_dir: Path | None = None,
    template_dir: Path | None = None,
) -> int:
    """Print one ``ERROR:`` line per problem; return the hook's exit status."""
    table = read_table(template_dir) if template_dir is not None else None
    problems = version_problems(sys.version_info, installed_cookiecutter())
    problems += find_problems(answers, suggestions, table)
    if not problems and project_dir and template_dir and table is not None:
        problems += [check_regeneration(project_dir, answers, template_dir, table)]
    if hasattr(sys.stderr, "reconfigure"):
        sys.stderr.reconfigure(errors="backslashreplace")
    for problem in problems:
        if problem:
            print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if any(problems) else 0


if __name__ == "__main__":
    answers = json.loads(r"""{{ cookiecutter | tojson }}""")
    # cookiecutter's own slugify of the two names, for the examples of a valid value.
    suggestions = json.loads(
        r"""{{ {
            "project_slug": cookiecutter.project_slug | slug,
            "package_name": cookiecutter.package_name | slug("_"),
        } | tojson }}"""
    )
    # Spaces keep the JSON string's quotes apart from those of the Python literal.
    template_dir = Path(json.loads(r""" {{ template_folder() | tojson }} """))
    sys.exit(main(answers, suggestions, Path.cwd(), template_dir))
