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
import re
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
    answers: dict[str, object], suggestions: dict[str, str] | None = None
) -> list[str]:
    """Return one message for each answer that would give a broken project.

    ``suggestions`` holds ``project_slug`` and ``package_name`` as cookiecutter's
    slugify gives them, for the examples of a valid value."""
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
    return [problem for problem in problems if problem]


def chosen_variants(answers: dict[str, object]) -> list[str]:
    """The variant folders the answers select, by cookiecutter.json's table."""
    table: dict[str, dict[str, list[str]]] = answers[TABLE]  # from cookiecutter.json
    return [
        variant
        for option, choices in table.items()
        for variant in choices[str(answers[option])]
    ]


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
    project_dir: Path, variants_dir: Path, answers: dict[str, object]
) -> list[str]:
    """The files in ``project_dir`` that a variant the answers did not choose makes,
    and no chosen one replaces: generating over them would leave them behind."""
    table: dict[str, dict[str, list[str]]] = answers[TABLE]  # from cookiecutter.json
    chosen = set(chosen_variants(answers))
    every = {v for choices in table.values() for vs in choices.values() for v in vs}
    package = str(answers["package_name"])
    made: set[str] = set()
    for variant in chosen:
        made |= variant_files(variants_dir / variant, package)
    others: set[str] = set()
    for variant in every - chosen:
        others |= variant_files(variants_dir / variant, package)
    return sorted(path for path in others - made if (project_dir / path).exists())


def _shell_word(word: str) -> str:
    """``word`` as one argument of a POSIX shell or of Windows' cmd."""
    return f'"{word}"' if not word or any(c in word for c in " '&()") else word


def check_regeneration(project_dir: Path, answers: dict[str, object]) -> str | None:
    """Refuse to generate over a project made with answers that this generation would
    leave traces of: files of another choice, or a package of another name."""
    here = project_dir.name
    command = " ".join(
        _shell_word(word)
        for word in (
            "cookiecutter",
            "-f",
            "--replay-file",
            str(project_dir / ANSWERS_FILE),
            "--output-dir",
            str(project_dir.parent),
            str(answers.get("_template", "<template>")),
        )
    )
    redo = (
        f"Generate it again from the answers it was made with ({command}),"
        " or into another folder."
    )
    try:
        previous = json.loads((project_dir / ANSWERS_FILE).read_text(encoding="utf-8"))[
            "cookiecutter"
        ]
        old_package = str(previous["package_name"])
    except (OSError, ValueError, KeyError, TypeError):
        old_package = None  # no record of earlier answers: nothing to compare
    package = str(answers["package_name"])
    if old_package is not None and old_package != package:
        return (
            f"{here}/ holds a project whose package is {old_package!r}: generating"
            f" it again with package_name {package!r} would leave {old_package}/"
            f" behind. {redo}"
        )
    repo_dir = Path(str(answers.get("_repo_dir", "")))
    templates = [
        folder
        for folder in (repo_dir.iterdir() if repo_dir.is_dir() else ())
        if folder.is_dir() and "cookiecutter.project_slug" in folder.name
    ]
    if len(templates) != 1:
        return None  # not a local template folder: nothing to compare against
    leftovers = leftover_files(project_dir, templates[0] / VARIANTS_DIR, answers)
    if not leftovers:
        return None
    shown = ", ".join(leftovers[:4])
    more = f" and {len(leftovers) - 4} more" if len(leftovers) > 4 else ""
    return (
        f"{here}/ holds files that these answers do not make ({shown}{more}):"
        f" generating over it would leave them behind. {redo}"
    )


def main(
    answers: dict[str, object],
    suggestions: dict[str, str] | None = None,
    project_dir: Path | None = None,
) -> int:
    """Print one ``ERROR:`` line per problem; return the hook's exit status."""
    problems = version_problems(sys.version_info, installed_cookiecutter())
    problems += find_problems(answers, suggestions)
    if not problems and project_dir is not None:
        problems += [check_regeneration(project_dir, answers)]
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
    sys.exit(main(answers, suggestions, Path.cwd()))
