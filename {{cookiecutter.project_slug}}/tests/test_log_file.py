from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.log_file import append_line


def test_lines_are_appended(tmp_path: Path) -> None:
    log_file = tmp_path / "log.txt"

    append_line(log_file, "first")
    append_line(log_file, "second")

    assert log_file.read_text(encoding="utf-8") == "first\nsecond\n"


def test_missing_folders_are_created(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "today" / "log.txt"

    append_line(log_file, "first")

    assert log_file.read_text(encoding="utf-8") == "first\n"


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
