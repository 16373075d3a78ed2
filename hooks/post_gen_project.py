"""Keep what the answers chose and nothing else.

The template renders every variant under ``_variants/``; this hook merges the chosen
ones into the project and deletes the folder, even when a merge fails. A variant
folder mirrors the project's layout, so its files land under neutral names
(``tests/``, the package, ``LICENSE``) and the project never shows which variants it
was not given. Which folders each answer owns is one table, ``_variants_by_answer``
in the template's cookiecutter.json, read from there (a replay file may hold an
older copy).
Standard library only: this runs on the user's machine, on any OS.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

VARIANTS_DIR = "_variants"
TABLE = "_variants_by_answer"


def read_table(template_dir: Path) -> dict[str, dict[str, list[str]]]:
    """The template's ``_variants_by_answer``, from its cookiecutter.json."""
    context = json.loads((template_dir / "cookiecutter.json").read_text("utf-8"))
    table: dict[str, dict[str, list[str]]] = context[TABLE]
    return table


def chosen_variants(
    answers: dict[str, object], table: dict[str, dict[str, list[str]]]
) -> list[str]:
    """Return the variant folders the answers select, in the table's order."""
    return [
        variant
        for option, choices in table.items()
        for variant in choices[str(answers[option])]
    ]


def merge_variant(variant_dir: Path, project_dir: Path) -> None:
    """Move every file of ``variant_dir`` to the same place under ``project_dir``.

    A file already there is replaced: it is the one an earlier generation of the same
    project put there (``cookiecutter -f``); the template's suite proves that no
    variant shares a path with a shared file or with a variant chosen beside it.
    """
    if not variant_dir.is_dir():
        raise FileNotFoundError(f"variant folder {variant_dir.name!r} is missing")
    for source in sorted(path for path in variant_dir.rglob("*") if path.is_file()):
        target = project_dir / source.relative_to(variant_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        source.replace(target)


def prune(
    project_dir: Path,
    answers: dict[str, object],
    table: dict[str, dict[str, list[str]]],
) -> None:
    """Merge the variants that ``answers`` choose by ``table`` into ``project_dir``,
    then drop ``_variants/``, whether the merge worked or not."""
    variants_root = project_dir / VARIANTS_DIR
    try:
        for variant in chosen_variants(answers, table):
            merge_variant(variants_root / variant, project_dir)
    finally:
        shutil.rmtree(variants_root)


if __name__ == "__main__":
    project = Path.cwd()
    # Spaces keep the JSON string's quotes apart from those of the Python literal.
    template_dir = Path(json.loads(r""" {{ template_folder() | tojson }} """))
    try:
        prune(
            project,
            json.loads(r"""{{ cookiecutter | tojson }}"""),
            read_table(template_dir),
        )
    except (OSError, KeyError, ValueError) as error:
        print(f"ERROR: could not arrange the project: {error}", file=sys.stderr)
        sys.exit(1)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    print(f"Created {project}: its README.md says how to run and test it.")
