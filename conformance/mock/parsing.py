"""Reading requests: the body size cap, content types, JSON and multipart decoding, the query
string and the Accept header.

Everything here answers 400/413/415 (406 for Accept) for a request that cannot be read; whether
the fields it holds are right is validation.py's business (422). The module functions read as
the faithful mock does (the control plane uses them); `Reader` reads as one behaviour does.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator
from urllib.parse import unquote_plus

from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from conformance.mock.behaviour import Behaviour
from conformance.mock.errors import (
    InvalidJson,
    InvalidMultipart,
    NotAcceptable,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from conformance.mock.media import HEAD_BYTES, Media
from conformance.mock.validation import BodySource

MAX_BODY_BYTES = 10 * 1024 * 1024
JSON_MEDIA_TYPE = "application/json"
MULTIPART_MEDIA_TYPE = "multipart/form-data"
# A message has six fields and one file; generous limits, but bounded.
_MAX_FORM_FIELDS = 64
_MAX_FORM_FILES = 8
_CONTENT_LENGTH = re.compile(r"[0-9]{1,20}")


def media_type(headers: Headers) -> str:
    """The media type of the body, lower case, without parameters ("" when absent)."""
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def read_body(request: Request) -> bytes:
    """The raw body; 413 when Content-Length or the bytes actually sent exceed 10 MiB."""
    declared = request.headers.get("content-length", "")
    if _CONTENT_LENGTH.fullmatch(declared) and int(declared) > MAX_BODY_BYTES:
        raise PayloadTooLarge()
    body = bytearray()
    # Content-Length may be absent (chunked) or lie, so the cap also holds while reading.
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise PayloadTooLarge()
    return bytes(body)


def decode_json(body: bytes) -> object:
    """The JSON value of the body; 400 invalid_json when it is not JSON."""
    try:
        return json.loads(body)
    # ValueError covers bad syntax, bad UTF-8 and over-long integers; RecursionError deep nesting.
    except (ValueError, RecursionError):
        raise InvalidJson() from None


async def read_json(request: Request) -> object:
    """The JSON body of an operation that takes only JSON; 415 for any other content type."""
    if media_type(request.headers) != JSON_MEDIA_TYPE:
        raise UnsupportedMediaType("Content-Type must be application/json")
    return decode_json(await read_body(request))


async def read_message(request: Request) -> tuple[BodySource, object]:
    """A sendMessage body: JSON (text) or multipart (media); 415 for anything else."""
    kind = media_type(request.headers)
    if kind == JSON_MEDIA_TYPE:
        return "json", decode_json(await read_body(request))
    if kind == MULTIPART_MEDIA_TYPE:
        return "multipart", await decode_multipart(request.headers, await read_body(request))
    raise UnsupportedMediaType(
        "Content-Type must be application/json (text) or multipart/form-data (media)"
    )


async def decode_multipart(headers: Headers, body: bytes) -> dict[str, object]:
    """Form fields as text, files as Media, repeated names as lists; 400 when unreadable."""

    async def chunks() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(
        headers,
        chunks(),
        max_files=_MAX_FORM_FILES,
        max_fields=_MAX_FORM_FIELDS,
        max_part_size=MAX_BODY_BYTES,
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise InvalidMultipart(f"Invalid multipart/form-data: {exc.message}") from None
    try:
        values: dict[str, list[object]] = {}
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                head = await value.read(HEAD_BYTES)
                media = Media(value.filename or "", value.size or 0, value.content_type, head)
                values.setdefault(name, []).append(media)
            else:
                values.setdefault(name, []).append(value)
    finally:
        await form.close()
    # A repeated name is a list, as in JSON: validation then rejects it for the fields it knows,
    # and unknown fields are ignored either way.
    return {name: found[0] if len(found) == 1 else found for name, found in values.items()}


def query_lists(request: Request, *, plus_is_space: bool = False) -> dict[str, list[str]]:
    """Query parameters, every value of a repeated name kept (validation rejects repeats).

    Form decoding makes "+" a space, but the docs' own example sends ?phone=+201010000000
    unencoded, so a "+" that starts a value is kept as a plus sign ("%2B" is one anyway);
    plus_is_space decodes strictly as a form (READ-026).
    """
    params: dict[str, list[str]] = {}
    raw = request.scope.get("query_string", b"").decode("latin-1")
    for pair in raw.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        plus = "+" if value.startswith("+") and not plus_is_space else ""
        decoded = plus + unquote_plus(value.removeprefix(plus))
        params.setdefault(unquote_plus(name), []).append(decoded)
    return params


def admits_json(accept: str | None) -> bool:
    """Whether an Accept header value admits application/json (absent: no)."""
    if accept is None:
        return False
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > 0 and media.lower() in ("application/json", "application/*", "*/*"):
            return True
    return False


class Reader:
    """Reading requests as one mock's behaviour reads them."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.choices = behaviour.choices
        self.hook = behaviour.hook

    def check_accept(self, request: Request) -> None:
        """READ-021: under the choice, 406 unless Accept admits application/json."""
        if not self.choices.require_accept_json:
            return
        values = request.headers.getlist("accept")
        if not admits_json(", ".join(values) if values else None):
            raise NotAcceptable()

    async def json(self, request: Request) -> object:
        try:
            return await read_json(request)
        except InvalidJson as error:
            self._crash_on_bad_json(error)
            raise

    async def message(self, request: Request) -> tuple[BodySource, object]:
        try:
            return await read_message(request)
        except InvalidJson as error:
            self._crash_on_bad_json(error)
            raise

    def query(self, request: Request) -> dict[str, list[str]]:
        return query_lists(request, plus_is_space=self.choices.plus_is_space)

    def _crash_on_bad_json(self, error: InvalidJson) -> None:
        if self.hook("server_error_on_bad_json"):
            raise RuntimeError("the JSON body could not be decoded") from error
