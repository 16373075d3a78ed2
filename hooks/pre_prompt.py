"""Stop before the first question when Python or cookiecutter is too old.

Cookiecutter 2.4 and newer run this hook first. It is not rendered with Jinja, and,
like every hook, it uses the standard library only and runs on any OS. Its syntax is
that of Python 3.7, the oldest that cookiecutter 2 runs on, so that an old Python
hears why it is too old instead of failing on a newer syntax.
"""

from __future__ import annotations

import sys

# The oldest versions the template and its projects are tested with.
MINIMUM_PYTHON = (3, 10)
MINIMUM_COOKIECUTTER = (2, 7, 1)


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


def problems(python: tuple[int, ...], cookiecutter: str | None) -> list[str]:
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
    """The running cookiecutter's version, or None where it cannot be read: on
    Python 3.7 (no importlib.metadata, and too old anyway) or from a source tree."""
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:
        return None
    try:
        return version("cookiecutter")
    except PackageNotFoundError:
        return None


if __name__ == "__main__":
    reasons = problems(sys.version_info, installed_cookiecutter())
    for reason in reasons:
        print("ERROR: " + reason, file=sys.stderr)
    if reasons:
        sys.exit(1)
