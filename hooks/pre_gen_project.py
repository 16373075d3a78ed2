"""Check the answers before any file is written.

A wrong answer stops generation with one line naming the variable, the value and a valid
example; cookiecutter then removes the project folder, so nothing half-written is left.
Standard library only: this runs on the user's machine, on any OS, before anything else.
"""

from __future__ import annotations

import json
import keyword
import re
import sys

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


def _suggest_slug(value: str) -> str:
    words = re.findall(r"[a-z0-9]+", value.lower())
    slug = "-".join(words)
    return slug if SLUG.fullmatch(slug) else DEFAULT_SLUG


def _suggest_package(value: str) -> str:
    package = "_".join(re.findall(r"[a-z0-9]+", value.lower()))
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


def check_slug(value: str) -> str | None:
    if not SLUG.fullmatch(value):
        return (
            f"project_slug {value!r} is not valid: use lowercase letters, digits"
            " and single hyphens, starting with a letter, for example"
            f" {_suggest_slug(value)!r}"
        )
    return check_length("project_slug", value, DEFAULT_SLUG)


def check_package(value: str) -> str | None:
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
    return f"package_name {value!r} {reason}, for example {_suggest_package(value)!r}"


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


def find_problems(answers: dict[str, object]) -> list[str]:
    """Return one message for each answer that would give a broken project."""
    problems = [check_single_line(name, str(answers[name])) for name in FREE_TEXT]
    slug, package = str(answers["project_slug"]), str(answers["package_name"])
    slug_problem = check_slug(slug)
    # The default package name is the slug with underscores: when the slug is wrong,
    # fixing it fixes that package name too, so only the slug is reported.
    derived = package == slug.replace("-", "_")
    problems += [
        slug_problem,
        None if slug_problem and derived else check_package(package),
        check_email(str(answers["author_email"])),
        check_version(str(answers["version"])),
    ]
    return [problem for problem in problems if problem]


def main(answers: dict[str, object]) -> int:
    problems = find_problems(answers)
    if hasattr(sys.stderr, "reconfigure"):
        sys.stderr.reconfigure(errors="backslashreplace")
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(json.loads(r"""{{ cookiecutter | tojson }}""")))
