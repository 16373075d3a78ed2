from pathlib import Path

import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.log_file import append_line


def test_lines_are_appended(tmp_path: Path) -> None:
    log_file = tmp_path / "log.txt"

    append_line(log_file, "first")
    append_line(log_file, "second")

    assert log_file.read_text(encoding="utf-8") == "first\nsecond\n"


def test_the_log_files_folders_are_made_when_the_settings_are_read(
    tmp_path: Path,
) -> None:
    log_file = tmp_path / "logs" / "today" / "log.txt"

    Settings(log_file=log_file)
    append_line(log_file, "first")

    assert log_file.read_text(encoding="utf-8") == "first\n"


@pytest.mark.parametrize("where", ["a folder", "under a file"])
def test_a_log_file_that_cannot_be_appended_to_stops_the_start(
    tmp_path: Path, where: str
) -> None:
    """Reading the settings is the app's (and the worker's) start-up: a bad path stops
    it there, naming the variable, instead of failing every task later."""
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    log_file = tmp_path if where == "a folder" else tmp_path / "a-file" / "log.txt"

    with pytest.raises(ValidationError, match=r"APP_LOG_FILE='.*' cannot be appended"):
        Settings(log_file=log_file)


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
