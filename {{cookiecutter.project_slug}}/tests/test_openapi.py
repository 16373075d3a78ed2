"""The OpenAPI schema, fuzzed with Schemathesis: every operation, given valid and
invalid input, answers as the schema says, and never with a server error."""

{% if cookiecutter.task_pattern != "celery" -%}
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
{% endif -%}
import schemathesis
from email_validator import EmailNotValidError, validate_email
from hypothesis import settings
from hypothesis import strategies as st

{% if cookiecutter.task_pattern != "celery" -%}
from {{ cookiecutter.package_name }}.config import Settings
{% endif -%}
from {{ cookiecutter.package_name }}.main import create_app
{%- if cookiecutter.task_pattern == "celery" %}
from {{ cookiecutter.package_name }}.task_queue import get_task_queue

from tests.support import FakeQueue
{%- endif %}


def accepted_address(address: str) -> bool:
    """Whether the API takes ``address``: it must also not be at a reserved domain
    (``.test``, ``.local``...), which the schema's ``email`` format cannot say."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


schemathesis.openapi.format("email", st.emails().filter(accepted_address))
{%- if cookiecutter.task_pattern == "celery" %}

# The API alone, its task queue replaced: the fuzzer's requests reach no broker.
app = create_app()
app.dependency_overrides[get_task_queue] = FakeQueue
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
{%- else %}

log_dir = tempfile.TemporaryDirectory(prefix="openapi-tests-")
app = create_app(Settings(log_file=Path(log_dir.name) / "log.txt"))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def remove_log_dir() -> Iterator[None]:
    yield
    log_dir.cleanup()
{%- endif %}


@schema.parametrize()
@settings(max_examples=100, deadline=None)
def test_every_operation_answers_as_its_schema_says(case: schemathesis.Case) -> None:
    case.call_and_validate()
