"""Reading a response body: capped, decoded in small steps, in the charset it declares."""

from __future__ import annotations

import codecs
import time
import zlib
from collections.abc import Iterator
from typing import Final

import httpx

DEFAULT_MAX_BODY_BYTES: Final = 5 * 1024 * 1024
DECODED_PIECE: Final = 256 * 1024  # a compressed body is inflated this much at a time


def decoded_body(response: httpx.Response) -> Iterator[bytes]:
    """The body, decoded, in pieces of at most DECODED_PIECE bytes for gzip and deflate.

    httpx inflates each network read whole: 64 KiB of a gzip bomb become ~64 MiB at once.
    Inflating with zlib's max_length keeps every piece small, whatever the ratio. Other
    encodings (br, zstd, stacked ones) are left to httpx."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("gzip", "x-gzip", "deflate") or response.is_stream_consumed:
        yield from response.iter_bytes()
        return
    inflater = zlib.decompressobj(31 if encoding != "deflate" else 15)
    first = True
    for raw in response.iter_raw():
        try:
            piece = inflater.decompress(raw, DECODED_PIECE)
        except zlib.error as error:
            if not (first and encoding == "deflate"):
                raise httpx.DecodingError(str(error), request=response.request) from None
            # "deflate" sent as a raw deflate stream, without the zlib wrapper.
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                piece = inflater.decompress(raw, DECODED_PIECE)
            except zlib.error as raw_error:
                raise httpx.DecodingError(str(raw_error), request=response.request) from None
        first = False
        yield piece
        while inflater.unconsumed_tail:
            yield inflater.decompress(inflater.unconsumed_tail, DECODED_PIECE)


class BodyBroken(Exception):
    """The response's head arrived but its body did not: a timeout or a broken connection."""

    def __init__(self, size: int, error: httpx.RequestError) -> None:
        super().__init__(str(error))
        self.size = size
        self.error = error


def read_capped(
    response: httpx.Response, max_bytes: int, started: float, timeout: float
) -> tuple[bytes, bool]:
    """Read at most `max_bytes` of the (decoded) body; the rest is never read. Returns the
    bytes and whether the body was cut.

    Raises BodyBroken when the body times out or the connection breaks mid-body."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in decoded_body(response):
            room = max_bytes - size
            if len(chunk) > room:
                chunks.append(chunk[:room])
                return b"".join(chunks), True
            chunks.append(chunk)
            size += len(chunk)
            # The exchange deadline bounds each read; this holds even for a transport
            # without it (a caller's own).
            if time.perf_counter() - started > timeout:
                raise httpx.ReadTimeout(
                    f"body not complete after {timeout}s", request=response.request
                )
    except httpx.RequestError as error:
        raise BodyBroken(size, error) from None
    return b"".join(chunks), False


def charset_of(response: httpx.Response) -> str:
    name = response.charset_encoding or "utf-8"
    try:
        codecs.lookup(name)
    except LookupError:
        return "utf-8"
    return name


def utf8_or_none(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None
