"""The extension kit: what users add first to a new project, applied to a bake.

Each step edits the project as its user would: a new module or test file copied in,
a few lines added to an existing file at the place ruff's import order and the
formatter expect. After it, the project's own suite, ``ruff check`` and ``ruff
format --check`` must still pass. The files here are checked by the project's ruff
once applied, not by the template's.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import project_kind

KIT = Path(__file__).parent

MIDDLEWARE = """

    @app.middleware("http")
    async def add_served_by(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers["X-Served-By"] = "extension kit"
        return response

    return app
"""


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in ``path``, where ``old`` occurs exactly once."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == count, f"{path.name}: {old!r} found {text.count(old)}x"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _add_to_import(path: Path, module: str, *names: str) -> None:
    """Add ``names`` to the one-line ``from <module> import ...`` of ``path``."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"^from {re.escape(module)} import (.+)$", re.MULTILINE)
    match = pattern.search(text)
    assert match, f"{path.name} does not import from {module}"
    imported = sorted({*match.group(1).split(", "), *names}, key=str.lower)
    line = f"from {module} import {', '.join(imported)}"
    path.write_text(text[: match.start()] + line + text[match.end() :], "utf-8")


def _append(path: Path, addition: Path) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(addition.read_text(encoding="utf-8"))


def _include_reports_router(main: Path) -> None:
    _edit(
        main,
        "from .notifications import router as notifications_router\n",
        "from .notifications import router as notifications_router\n"
        "from .reports import router as reports_router\n",
    )
    _edit(
        main,
        "    app.include_router(health_router)\n",
        "    app.include_router(health_router)\n"
        "    app.include_router(reports_router)\n",
    )


def _add_middleware_and_router(package: Path) -> None:
    main = package / "main.py"
    _add_to_import(main, "collections.abc", "Awaitable", "Callable")
    _add_to_import(main, "fastapi", "Request", "Response")
    _include_reports_router(main)
    _edit(main, "\n    return app\n", MIDDLEWARE)


def _add_asyncio_import(tasks: Path) -> None:
    _edit(
        tasks,
        "\nfrom pathlib import Path\n",
        "\nimport asyncio\nfrom pathlib import Path\n",
    )


def apply_readme_example(project: Path, package: str) -> None:
    """Do what the project's README section "Adding your own task and endpoint"
    says, with its code blocks as they are written: tasks.py's additions, reports.py,
    and the router included in main.py."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Adding your own task and endpoint", 1)[1]
    section = section.split("\n## ", 1)[0]
    tasks_block, reports_block = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    package_dir = project / package
    tasks = package_dir / "tasks.py"
    with tasks.open("a", encoding="utf-8") as file:
        file.write("\n\n" + tasks_block.split("\n", 1)[1])
    if "asyncio" in tasks_block:
        _add_asyncio_import(tasks)
    (package_dir / "reports.py").write_text(
        reports_block.split("\n", 1)[1], encoding="utf-8"
    )
    _include_reports_router(package_dir / "main.py")


def apply_extension_kit(project: Path, package: str, pattern: str) -> None:
    """Apply the kit for ``pattern`` to the project at ``project``."""
    kind = project_kind(pattern)
    files = KIT / kind
    package_dir = project / package
    shutil.copy(files / "reports.py", package_dir / "reports.py")
    shutil.copy(files / "test_reports.py", project / "tests" / "test_reports.py")
    _append(package_dir / "tasks.py", files / "tasks_addition.py")
    _append(package_dir / "notifications.py", files / "notifications_addition.py")
    _add_middleware_and_router(package_dir)
    if kind == "in_process":
        _add_asyncio_import(package_dir / "tasks.py")
        _add_to_import(package_dir / "notifications.py", ".tasks", "write_audit")
