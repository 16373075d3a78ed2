"""What the notification endpoint accepts, checked before any work is scheduled."""

from typing import Annotated

from fastapi import HTTPException, Path, Request, status
from pydantic import EmailStr
from starlette.convertors import Convertor, register_url_convertor


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


async def refuse_request_body(request: Request) -> None:
    """Dependency: refuse a request that comes with a body, told from its headers.

    For an endpoint that takes no body. The body is never read, so a request whose
    body is broken (a malformed chunked encoding, say) is refused before the endpoint
    schedules any work, rather than getting 400 from the server once it has. Raises
    ``HTTPException`` (415).
    """
    headers = request.headers
    if headers.get("content-length", "0") != "0" or "transfer-encoding" in headers:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            "This endpoint takes no request body: send the request without one",
        )
