"""The real interactive prompts, answered the way a user types them."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pexpect
from conftest import template_source

# Each prompt as the user sees it, and what the user types (empty: take the default).
DIALOGUE = [
    (
        r"\[1/11\] Project name, as people read it \(Background Tasks App\): ",
        "My Mailer",
    ),
    (r"\[2/11\] Project slug: .* \(my-mailer\): ", ""),
    (r"\[3/11\] Python package name: what you import \(my_mailer\): ", ""),
    (r"\[4/11\] One-line description \(.*\): ", "Sends mail after answering."),
    (r"\[5/11\] Author name \(Your Name\): ", "Ada Lovelace"),
    (r"\[6/11\] Author email \(you@example.com\): ", "ada@example.org"),
    (r"\[7/11\] First version \(PEP 440\) \(0.1.0\): ", ""),
    (
        r"\[8/11\] How the background work runs.*1 - add_task: .*"
        r"2 - dependency_injected: .*3 - celery: .*Choose from \[1/2/3\] \(1\): ",
        "2",
    ),
    (
        r"\[9/11\] License.*1 - MIT.*2 - Apache License 2.0.*3 - BSD 3-Clause.*"
        r"4 - Proprietary: .*Choose from \[1/2/3/4\] \(1\): ",
        "3",
    ),
    (r"\[10/11\] Add a Dockerfile and a compose.yaml\? \[y/n\] \(y\): ", "n"),
    (r"\[11/11\] Add a GitHub Actions workflow .*\? \[y/n\] \(y\): ", ""),
]


def test_answering_the_prompts_generates_the_chosen_project(tmp_path: Path) -> None:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "cookiecutter", template_source(), "--output-dir", str(tmp_path)],
        encoding="utf-8",
        timeout=30,
        env={**os.environ, "NO_COLOR": "1", "TERM": "dumb"},
    )
    for prompt, answer in DIALOGUE:
        child.expect(re.compile(prompt, re.DOTALL))
        child.sendline(answer)
    child.expect(pexpect.EOF)
    child.close()

    assert child.exitstatus == 0, child.before
    project = tmp_path / "my-mailer"
    saved = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))
    assert saved["cookiecutter"] == {
        "project_name": "My Mailer",
        "project_slug": "my-mailer",
        "package_name": "my_mailer",
        "description": "Sends mail after answering.",
        "author_name": "Ada Lovelace",
        "author_email": "ada@example.org",
        "version": "0.1.0",
        "task_pattern": "dependency_injected",
        "license": "BSD-3-Clause",
        "use_docker": False,
        "use_github_actions": True,
    }
    assert (project / "my_mailer" / "dependencies.py").is_file()
    assert not (project / "Dockerfile").exists()
    assert (project / ".github" / "workflows" / "ci.yml").is_file()
    assert (project / "LICENSE").read_text(encoding="utf-8").startswith("BSD 3-Clause")
