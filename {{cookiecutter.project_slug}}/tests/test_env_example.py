""".env.example lists every setting, each with its default, and nothing else."""

import re
from pathlib import Path

from {{ cookiecutter.package_name }}.config import Settings

ENV_EXAMPLE = Path(__file__).parent.parent / ".env.example"
# A setting, or a commented-out example of one: "NAME=value" or "# NAME=value".
SETTING_LINE = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")


def variable_name(field_name: str) -> str:
    field = Settings.model_fields[field_name]
    if isinstance(field.validation_alias, str):
        return field.validation_alias
    prefix = Settings.model_config.get("env_prefix", "")
    return f"{prefix}{field_name}".upper()


def test_every_setting_is_listed_with_its_default() -> None:
    listed: dict[str, str | None] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if match := SETTING_LINE.match(line):
            commented, name, value = match.groups()
            listed.setdefault(name, None if commented else value)

    defaults = {
        variable_name(name): None if field.default is None else str(field.default)
        for name, field in Settings.model_fields.items()
    }
    # A setting without a default appears commented out, as an example.
    assert listed == defaults
