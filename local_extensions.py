"""Jinja filters for answers: names derived from them, and literals quoting them.

Cookiecutter loads this module through ``_extensions`` in cookiecutter.json. Answers
are free text: a project name may hold quotes, backslashes or any Unicode letter, and
it must still give a file that parses and that the formatter leaves alone.
"""

from __future__ import annotations

import os

from jinja2 import Environment
from jinja2.ext import Extension
from slugify import slugify

# An apostrophe joins the letters around it: "Zoë's Café" is zoes-cafe, not zoe-s-cafe.
APOSTROPHES = [["'", ""], ["\u2019", ""]]


def slug(value: object, separator: str = "-") -> str:
    """Return ``value`` as cookiecutter's ``slugify`` filter does (python-slugify:
    ASCII lowercase words joined by ``separator``), with apostrophes dropped."""
    return slugify(str(value), separator=separator, replacements=APOSTROPHES)


def _escape(char: str) -> str:
    """Return the Python escape sequence of a character that cannot stand as it is."""
    return char.encode("unicode_escape").decode("ascii")


def python_string(value: object) -> str:
    """Return ``value`` as a Python string literal, quoted as ruff format quotes it.

    Double quotes, unless the text holds more double than single quotes; so formatting
    the generated file never rewrites the literal.
    """
    text = str(value)
    quote = "'" if text.count('"') > text.count("'") else '"'
    body = "".join(
        "\\" + char
        if char in ("\\", quote)
        else char
        if char.isprintable()
        else _escape(char)
        for char in text
    )
    return f"{quote}{body}{quote}"


def toml_string(value: object) -> str:
    """Return ``value`` as a TOML basic string (printable Unicode kept as it is)."""
    body = "".join(
        "\\" + char
        if char in ('"', "\\")
        else char
        if char == "\t" or (char >= " " and char != "\x7f")
        else f"\\u{ord(char):04X}"
        for char in str(value)
    )
    return f'"{body}"'


def template_folder() -> str:
    """The template's folder, absolute, for the hooks to read it.

    Cookiecutter renders and runs each hook from the template's folder (it finds
    ``hooks/`` there), so the working directory is that folder while a hook renders;
    ``cookiecutter._repo_dir`` can be relative to wherever the user ran the command.
    """
    return os.getcwd()


class AnswerFilters(Extension):
    """Adds the ``slug``, ``python_string`` and ``toml_string`` filters, and the
    ``template_folder()`` function."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["template_folder"] = template_folder
        environment.filters["slug"] = slug
        environment.filters["python_string"] = python_string
        environment.filters["toml_string"] = toml_string
