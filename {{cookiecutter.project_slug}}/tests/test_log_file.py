import os
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.log_file import (
    append_line,
    ensure_appendable,
)


def test_lines_are_appended(tmp_path: Path) -> None:
    log_file = tmp_path / "log.txt"

    append_line(log_file, "first")
    append_line(log_file, "second")

    assert log_file.read_text(encoding="utf-8") == "first\nsecond\n"


def test_missing_folders_are_created(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "today" / "log.txt"

    append_line(log_file, "first")

    assert log_file.read_text(encoding="utf-8") == "first\n"


def test_a_log_file_is_checked_and_its_folders_made_before_any_line(
    tmp_path: Path,
) -> None:
    log_file = tmp_path / "logs" / "log.txt"

    assert ensure_appendable(log_file, "APP_LOG_FILE") == log_file
    assert log_file.read_text(encoding="utf-8") == ""
    assert ensure_appendable(Path(os.devnull), "APP_LOG_FILE") == Path(os.devnull)


@pytest.mark.parametrize(
    ("where", "problem"),
    [("a folder", "a folder is in the way"), ("under a file", "a file is in the way")],
)
def test_a_log_file_that_cannot_be_appended_to_is_refused_by_its_setting(
    tmp_path: Path, where: str, problem: str
) -> None:
    """The process calls this at start-up: a bad path stops it there, naming the
    variable, instead of failing every task later."""
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    log_file = tmp_path if where == "a folder" else tmp_path / "a-file" / "log.txt"

    with pytest.raises(ValueError, match=rf"^APP_LOG_FILE='.*' .*\({problem}\)"):
        ensure_appendable(log_file, "APP_LOG_FILE")


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("a\nforged line", "a\\nforged line"),
        ("a\r\nforged", "a\\r\\nforged"),
        ("a\u2028b", "a\\u2028b"),
        ("tab\tand bell\x07", "tab\\tand bell\\x07"),
        ("Zoë ✓", "Zoë ✓"),
    ],
)
def test_a_value_can_never_start_a_line_of_its_own(
    tmp_path: Path, text: str, written: str
) -> None:
    log_file = tmp_path / "log.txt"

    append_line(log_file, text)

    assert log_file.read_text(encoding="utf-8").splitlines() == [written]
