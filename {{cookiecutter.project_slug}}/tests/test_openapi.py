"""The OpenAPI schema, fuzzed with Schemathesis: every operation, given valid and
invalid input, answers as the schema says, and never with a server error."""

import schemathesis
from email_validator import EmailNotValidError, validate_email
from hypothesis import settings
from hypothesis import strategies as st

from tests.support import app_for_fuzzing


def accepted_address(address: str) -> bool:
    """Whether the API takes ``address``: it must also not be at a reserved domain
    (``.test``, ``.local``...), which the schema's ``email`` format cannot say."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


schemathesis.openapi.format("email", st.emails().filter(accepted_address))
schema = schemathesis.openapi.from_asgi("/openapi.json", app_for_fuzzing())


@schema.parametrize()
@settings(max_examples=100, deadline=None)
def test_every_operation_answers_as_its_schema_says(case: schemathesis.Case) -> None:
    case.call_and_validate()
