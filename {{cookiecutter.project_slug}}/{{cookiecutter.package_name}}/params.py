"""Request parameters, validated before any work is scheduled."""

from typing import Annotated

from fastapi import Path
from pydantic import EmailStr
from starlette.convertors import Convertor, register_url_convertor
from starlette.datastructures import Headers


class AddressConvertor(Convertor[str]):
    """The rest of the path, slashes and line breaks included.

    An address may contain ``/`` (sent as ``%2F``), and one with a line break must
    still reach validation, to get a 422 that says what is wrong with it rather than a
    404: ``{email:address}`` matches every such path.
    """

    regex = "(?s:.*)"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("address", AddressConvertor())

RecipientEmail = Annotated[
    EmailStr,
    Path(description="Who the notification is for.", examples=["ada@example.com"]),
]

NO_BODY_TAKEN = {"description": "The request carried a body; this endpoint takes none"}
BODY_REFUSED = "This endpoint takes no request body: send the request without one"


def carries_body(headers: Headers) -> bool:
    """Whether a request comes with a body, told from its headers alone.

    The body is never read: a request whose body is broken (a malformed chunked
    encoding, say) is refused before its work is scheduled, rather than getting 400
    from the server while its work goes ahead.
    """
    return headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
