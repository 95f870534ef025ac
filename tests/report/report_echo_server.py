"""A hostile target for the redaction tests: it echoes the API key it receives everywhere.

A Starlette app on a free 127.0.0.1 port (uvicorn in a thread). Whatever key a request carries
(X-Api-Key, or Authorization when the suite sends it there) comes back in the response: in the
JSON body (raw, URL-encoded, inside error messages), in plain-text and HTML error pages, in
response headers (a custom header, Set-Cookie, WWW-Authenticate) and in the Location header of a
redirect. The answers rotate, so every test of the suite meets several of them.
"""

from __future__ import annotations

import html
import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import quote, quote_plus

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from conformance.mock.serving import serve_asgi

# Keys the test's config gives: one shaped like a real TGO key, and some with every character
# that has an encoded form somewhere (URL, JSON, HTML, shell).
KEYS: dict[str, str] = {
    "full": "trk_Fu11KeyAbCdEfGhIjKlMnOpQrStUv01",
    "messages_send": "trk_SendKeyZyXwVuTsRqPoNmLkJiHg2345",
    "messages_read": 'trk_r3ad+key/with"quote<and>&amp%41=x9',
    "contacts_lookup": "trk_Look'up$(whoami)`id`\\back;slash7",
    "usage_read": "trk_UsageKey0123456789abcdefghijklm",
    "revoked": "trk_Rev0kedKeyQwErTyUiOpAsDfGhJkLz",
}


def config_toml(base_url: str) -> str:
    """A target config for the echo server, with the keys above (TOML literal strings)."""

    def literal(value: str) -> str:
        assert "'" not in value or '"""' not in value
        return "'''" + value + "'''" if "'" in value else "'" + value + "'"

    lines = [
        f'base_url = "{base_url}"',
        "timeout = 5.0",
        "rate_limit = 0.0",
        "allow_writes = true",
        "",
        "[keys]",
        *(f"{name} = {literal(value)}" for name, value in KEYS.items()),
        "",
        "[senders]",
        'active = { id = 12, phone = "+201001187188" }',
        'pending_verification = { id = 13, phone = "+201001187189" }',
        'pending_account_verification = { id = 14, phone = "+201001187190" }',
        'rejected = { id = 15, phone = "+201001187191" }',
        'suspended = { id = 16, phone = "+201001187192" }',
        "",
        "[recipients]",
        'reachable = "+201010000000"',
        'unreachable = "+201010000001"',
        'unverified = "+201010000002"',
    ]
    return "\n".join(lines) + "\n"


def _received_key(request: Request) -> str:
    return request.headers.get("x-api-key") or request.headers.get("authorization") or "none"


def _echo_headers(key: str) -> dict[str, str]:
    return {
        "X-Echo-Api-Key": key,
        "Set-Cookie": f"session={quote(key, safe='')}; Path=/",
        "WWW-Authenticate": f'ApiKey realm="tgo", key="{key}"',
    }


def _sender_list(key: str, request: Request) -> Response:
    body = {
        "data": [
            {"id": 12, "phone": "+201001187188", "status": "active", "owner_key": key},
            {"id": 13, "phone": "+201001187189", "status": "pending_verification"},
        ],
        "next": f"{request.url.path}?page=2&api_key={quote(key, safe='')}",
    }
    return JSONResponse(body, headers=_echo_headers(key))


def _unauthorized(key: str, request: Request) -> Response:
    body = {"message": f"API key {key} does not match any active key", "code": "invalid_api_key"}
    return JSONResponse(body, status_code=401, headers=_echo_headers(key))


def _forbidden(key: str, request: Request) -> Response:
    body = {
        "message": f"the key {quote_plus(key)} lacks the scope",
        "code": "insufficient_scope",
        "key": {"value": key, "escaped": key.encode("unicode_escape").decode()},
    }
    return JSONResponse(body, status_code=403, headers=_echo_headers(key))


def _redirect(key: str, request: Request) -> Response:
    location = f"http://127.0.0.1:9/login?api_key={quote(key, safe='')}&raw={quote(key)}"
    headers = {**_echo_headers(key), "Location": location}
    return PlainTextResponse(f"moved to {location} for {key}", status_code=302, headers=headers)


def _crash(key: str, request: Request) -> Response:
    text = (
        f"Internal Server Error\nTraceback (most recent call last):\n  KeyError({key!r})\n"
        f"while handling {request.method} {request.url.path} with X-Api-Key: {key}"
    )
    return PlainTextResponse(text, status_code=500, headers=_echo_headers(key))


def _invalid(key: str, request: Request) -> Response:
    body = {
        "message": f"validation failed for request with X-Api-Key={key}",
        "code": "validation_error",
        "errors": [{"loc": ["header", "x-api-key"], "input": key, "msg": f"bad: {key}"}],
    }
    return JSONResponse(body, status_code=422, headers=_echo_headers(key))


def _html_page(key: str, request: Request) -> Response:
    page = f"<html><body><h1>Bad request</h1><p>key: {html.escape(key)} / {key}</p></body></html>"
    return Response(page, status_code=400, media_type="text/html", headers=_echo_headers(key))


Answer = Callable[[str, Request], Response]
ANSWERS: tuple[Answer, ...] = (
    _unauthorized,
    _sender_list,
    _invalid,
    _redirect,
    _forbidden,
    _crash,
    _html_page,
)


def create_echo_app() -> Starlette:
    counter = itertools.count()
    lock = threading.Lock()

    async def answer(request: Request) -> Response:
        await request.body()
        key = _received_key(request)
        if request.url.path == "/api/v1/sender-numbers" and request.method == "GET":
            with lock:
                n = next(counter)
            # The preflight and every other list read get a 200 half the time.
            return _sender_list(key, request) if n % 2 == 0 else _unauthorized(key, request)
        with lock:
            n = next(counter)
        return ANSWERS[n % len(ANSWERS)](key, request)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    return Starlette(routes=[Route("/{path:path}", answer, methods=methods)])


def create_inverted_auth_app(received: list[str]) -> Starlette:
    """Fails every auth test, echoing what it got: a request with an active key of KEYS is
    refused (401), any other request, without a key or with a mangled one, is served (200).
    Every X-Api-Key value received is appended to `received`."""
    active = {value for name, value in KEYS.items() if name != "revoked"}

    async def answer(request: Request) -> Response:
        await request.body()
        sent = request.headers.get("x-api-key")
        if sent is not None:
            received.append(sent)
        key = _received_key(request)
        if sent in active:
            return _unauthorized(key, request)
        body = {
            "served": f"with X-Api-Key={key}",
            "echo": {"raw": key, "url": quote(key, safe=""), "html": html.escape(key)},
        }
        return JSONResponse(body, headers=_echo_headers(key))

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    return Starlette(routes=[Route("/{path:path}", answer, methods=methods)])


@contextmanager
def echo_server(app: Starlette | None = None) -> Iterator[str]:
    """Serve the echo app (or `app`) on a free 127.0.0.1 port; yields its base URL."""
    with serve_asgi(app or create_echo_app()) as base_url:
        yield base_url
