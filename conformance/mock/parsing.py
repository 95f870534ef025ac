"""Reading requests: the body size cap, content types, JSON and multipart decoding.

Everything here answers 400/413/415 for a body that cannot be read; whether the fields it holds
are right is validation.py's business (422).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator
from urllib.parse import unquote_plus

from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from conformance.mock.errors import (
    InvalidJson,
    InvalidMultipart,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from conformance.mock.validation import BodySource, Media

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
                media = Media(value.filename or "", value.size or 0, value.content_type)
                values.setdefault(name, []).append(media)
            else:
                values.setdefault(name, []).append(value)
    finally:
        await form.close()
    # A repeated name is a list, as in JSON: validation then rejects it for the fields it knows,
    # and unknown fields are ignored either way.
    return {name: found[0] if len(found) == 1 else found for name, found in values.items()}


def query_lists(request: Request) -> dict[str, list[str]]:
    """Query parameters, every value of a repeated name kept (validation rejects repeats).

    Form decoding makes "+" a space, but the docs' own example sends ?phone=+201010000000
    unencoded, so a "+" that starts a value is kept as a plus sign ("%2B" is one anyway).
    """
    params: dict[str, list[str]] = {}
    raw = request.scope.get("query_string", b"").decode("latin-1")
    for pair in raw.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        plus = "+" if value.startswith("+") else ""
        decoded = plus + unquote_plus(value.removeprefix(plus))
        params.setdefault(unquote_plus(name), []).append(decoded)
    return params
