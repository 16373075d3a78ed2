"""Request parameters, validated before any work is scheduled."""

from typing import Annotated

from fastapi import HTTPException, Path, Request, status
from pydantic import EmailStr
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import ClientDisconnect


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
    """Dependency: answer 415 to a request that carries a body.

    The body is read to its end before any work is scheduled. Otherwise a request whose
    body is broken (a malformed chunked encoding, say) would get 400 from the server
    while its work goes ahead, and the client would retry work that was done.
    """
    try:
        body = await request.body()
    except ClientDisconnect:
        # The server has already answered 400 and closed the connection.
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, "The request body could not be read"
        ) from None
    if body:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            "This endpoint takes no request body: send the request without one",
        )
