"""Keep what the answers chose and nothing else.

The template renders every variant under ``_variants/``; this hook merges the chosen
ones into the project and deletes the folder. A variant folder mirrors the project's
layout, so its files land under neutral names (``tests/``, the package, ``LICENSE``)
and the project never shows which variants it was not given.
Standard library only: this runs on the user's machine, on any OS.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

VARIANTS_DIR = "_variants"

# What each answer owns: for every option, the variant folders that each choice
# merges into the project. Adding an option, or a choice, is adding an entry here
# and its folder under _variants/.
VARIANTS_BY_ANSWER: dict[str, dict[str, tuple[str, ...]]] = {
    "task_pattern": {
        "add_task": ("in_process", "add_task"),
        "dependency_injected": ("in_process", "dependency_injected"),
        "celery": ("celery",),
    },
    "license": {
        "MIT": ("license_mit",),
        "Apache-2.0": ("license_apache",),
        "BSD-3-Clause": ("license_bsd",),
        "Proprietary": (),
    },
    # Yes/no questions: the answer is a boolean.
    "use_docker": {"True": ("docker",), "False": ()},
    "use_github_actions": {"True": ("github_actions",), "False": ()},
}


def chosen_variants(answers: dict[str, object]) -> list[str]:
    """Return the variant folders the answers select, in the table's order."""
    return [
        variant
        for option, choices in VARIANTS_BY_ANSWER.items()
        for variant in choices[str(answers[option])]
    ]


def merge_variant(variant_dir: Path, project_dir: Path) -> None:
    """Move every file of ``variant_dir`` to the same place under ``project_dir``."""
    if not variant_dir.is_dir():
        raise FileNotFoundError(f"variant folder {variant_dir.name!r} is missing")
    files = sorted(path for path in variant_dir.rglob("*") if path.is_file())
    for source in files:
        target = project_dir / source.relative_to(variant_dir)
        if target.exists():
            raise FileExistsError(
                f"variant {variant_dir.name!r} would overwrite"
                f" {target.relative_to(project_dir).as_posix()}"
            )
    for source in files:
        target = project_dir / source.relative_to(variant_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        source.replace(target)


def prune(project_dir: Path, answers: dict[str, object]) -> None:
    """Merge the chosen variants into ``project_dir`` and drop every other variant."""
    variants_root = project_dir / VARIANTS_DIR
    for variant in chosen_variants(answers):
        merge_variant(variants_root / variant, project_dir)
    shutil.rmtree(variants_root)


if __name__ == "__main__":
    project = Path.cwd()
    try:
        prune(project, json.loads(r"""{{ cookiecutter | tojson }}"""))
    except (OSError, KeyError) as error:
        print(f"ERROR: could not arrange the project: {error}", file=sys.stderr)
        sys.exit(1)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    print(f"Created {project}: its README.md says how to run and test it.")
