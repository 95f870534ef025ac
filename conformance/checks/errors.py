"""Error payloads: the envelope every error must have, and the status and code a refusal needs."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol

from conformance.verify import ProvidesEvidence, Verifier

# Checked on every error response any test sees, whatever the test is about.
ENVELOPE_REQUIREMENTS = frozenset({"ERR-001", "ERR-002", "ERR-003", "ERR-009"})


class ResponseLike(ProvidesEvidence, Protocol):
    @property
    def status_code(self) -> int: ...

    @property
    def content_type(self) -> str: ...

    @property
    def text(self) -> str: ...

    def json(self) -> Any: ...


def is_json_content_type(content_type: str) -> bool:
    """application/json, with any parameters (a charset is compatible with the docs)."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def parse_json(response: ResponseLike) -> tuple[bool, Any]:
    try:
        return True, response.json()
    except ValueError:
        return False, None


def check_error_envelope(verify: Verifier, response: ResponseLike) -> None:
    """Every error response is a JSON object with string `message` and non-empty string `code`."""
    if response.status_code == 204:
        verify.check(
            "ERR-009",
            response.text == "",
            f"a 204 response carried a body of {len(response.text)} characters",
            expected="204 No Content has no body",
            exchange=response,
        )
        return
    if response.status_code < 400:
        return
    is_json, body = parse_json(response)
    json_object = is_json and isinstance(body, dict)
    verify.check(
        "ERR-001",
        json_object and is_json_content_type(response.content_type),
        f"error {response.status_code} came as {response.content_type or 'no content type'}"
        + ("" if json_object else ", and its body is not a JSON object"),
        expected="a JSON object served as application/json",
        exchange=response,
    )
    if not json_object:
        return
    message = body.get("message")
    verify.check(
        "ERR-002",
        isinstance(message, str),
        f"error {response.status_code} has no string field message (fields: {sorted(body)})",
        expected='{"message": "<human-readable text>", ...}',
        exchange=response,
    )
    code = body.get("code")
    verify.check(
        "ERR-003",
        isinstance(code, str) and code != "",
        f"error {response.status_code} has no non-empty string field code (fields: {sorted(body)})",
        expected='{"code": "<machine-readable code>", ...}',
        exchange=response,
    )


def error_code(response: ResponseLike) -> str | None:
    is_json, body = parse_json(response)
    if is_json and isinstance(body, dict) and isinstance(body.get("code"), str):
        return str(body["code"])
    return None


def error_message(response: ResponseLike) -> str | None:
    is_json, body = parse_json(response)
    if is_json and isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return None


def expect_refusal(
    verify: Verifier,
    requirement: str,
    response: ResponseLike,
    *,
    statuses: Collection[int] | None = None,
    code: str | None = None,
    message: str | None = None,
    what: str,
) -> bool:
    """Record whether ``response`` refused ``what`` as documented.

    statuses None means any 4xx (the docs give no status); code / message None means the docs
    give none, so any value passes (the envelope itself is checked separately).
    """
    status = response.status_code
    allowed = statuses if statuses is not None else range(400, 500)
    wanted = "/".join(str(s) for s in statuses) if statuses is not None else "a 4xx"
    if status not in allowed:
        return verify.check(
            requirement,
            False,
            f"{what}: answered {status}",
            expected=f"{wanted} refusal" + (f" with code {code}" if code else ""),
            exchange=response,
        )
    if code is not None:
        got = error_code(response)
        if not verify.check(
            requirement,
            got == code,
            f"{what}: refused with {status} but code {got!r}",
            expected=f"code {code!r}",
            exchange=response,
        ):
            return False
    if message is not None:
        got_message = error_message(response)
        if not verify.check(
            requirement,
            got_message == message,
            f"{what}: refused with {status} but message {got_message!r}",
            expected=f"message {message!r} verbatim",
            exchange=response,
        ):
            return False
    return verify.check(requirement, True)


def expect_success(
    verify: Verifier, requirement: str, response: ResponseLike, *, what: str
) -> bool:
    """Record whether ``response`` is a 2xx (success codes are undocumented: any 2xx passes)."""
    ok = 200 <= response.status_code < 300
    detail = ""
    if not ok:
        code = error_code(response)
        detail = f" (code {code!r})" if code else ""
    return verify.check(
        requirement,
        ok,
        f"{what}: answered {response.status_code}{detail}",
        expected="a 2xx success",
        exchange=response,
    )
