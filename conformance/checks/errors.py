"""Error payloads: the envelope every error must have, and how a refusal is judged.

The envelope is validated against the contract's Error schema (message required; code, which
only error-codes.txt adds, is checked apart as a SHOULD). A refusal is judged by a `Refusal`:
the statuses the docs pin for the situation, or the set a readings register entry accepts.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol

from conformance.checks.values import shown
from conformance.rules.values import Rules, load_rules
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


@dataclass(frozen=True)
class Refusal:
    """The statuses that refuse a request in a given situation, and how to say them."""

    statuses: frozenset[int]
    label: str

    def __contains__(self, status: object) -> bool:
        return status in self.statuses

    @classmethod
    def exactly(cls, *statuses: int) -> Refusal:
        return cls(frozenset(statuses), "/".join(str(s) for s in sorted(statuses)))


def invalid_body(rules: Rules) -> Refusal:
    """A well-formed body with a missing or invalid field: the TGO table's 422 (ERR-006)."""
    return Refusal.exactly(rules.invalid_body_status)


def body_or_query(rules: Rules) -> Refusal:
    """An unreadable body or an invalid query parameter: 400 or 422 (READ-004, READ-005)."""
    return Refusal.exactly(400, rules.invalid_body_status)


def any_refusal(rules: Rules) -> Refusal:
    """A refusal the docs give no status for (READ-007, READ-008, READ-016): any 4xx but the
    two whose meanings the status table fixes (a key problem, a missing scope)."""
    fixed = {rules.unauthorized_status, rules.forbidden_status}
    statuses = frozenset(s for s in range(400, 500) if s not in fixed)
    return Refusal(statuses, f"a 4xx other than {' and '.join(str(s) for s in sorted(fixed))}")


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


def error_body(response: ResponseLike) -> dict[str, Any] | None:
    """The error body as a JSON object, or None when it is not one."""
    ok, body = parse_json(response)
    return body if ok and isinstance(body, dict) else None


def error_code(response: ResponseLike) -> str | None:
    body = error_body(response)
    code = body.get("code") if body else None
    return code if isinstance(code, str) else None


def error_message(response: ResponseLike) -> str | None:
    """The human text of an error: the envelope's message, or (READ-002) a bare text body."""
    body = error_body(response)
    if body is not None:
        message = body.get("message")
        return message if isinstance(message, str) else None
    if response.content_type.lower().startswith("text/"):
        return response.text.strip()
    return None


def check_error_envelope(
    verify: Verifier, response: ResponseLike, rules: Rules | None = None
) -> None:
    """Every error is a JSON object with a string message (MUST) and a code (SHOULD)."""
    rules = rules or load_rules()
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
    body = error_body(response)
    if body is None and _is_documented_bare_text(response, rules):
        # The page shows this refusal as the bare sentence (READ-002).
        verify.chose("ERR-001", "READ-002", "the account-not-verified refusal as its bare text")
        return
    verify.check(
        "ERR-001",
        body is not None and is_json_content_type(response.content_type),
        f"error {response.status_code} came as {response.content_type or 'no content type'}"
        + ("" if body is not None else ", and its body is not a JSON object"),
        expected="a JSON object served as application/json",
        exchange=response,
        finding=f"error responses come as {response.content_type or 'no content type'}"
        + ("" if body is not None else ", not as a JSON object"),
    )
    if body is None:
        return
    problems = sorted(error.message for error in rules.error_validator.iter_errors(body))
    verify.check(
        "ERR-002",
        not problems,
        f"error {response.status_code} body does not fit the envelope: {'; '.join(problems)} "
        f"(fields: {shown(sorted(body))})",
        expected='{"message": "<human-readable text>", ...} (errors-and-troubleshooting.txt)',
        exchange=response,
        finding=f"error bodies do not fit the envelope: {'; '.join(problems)}",
    )
    shape = [name for name in ("message", "error", "code") if name in body]
    verify.chose("ERR-002", "READ-001", "error body: " + (", ".join(shape) or "none of the fields"))
    code = body.get("code")
    verify.check(
        "ERR-003",
        isinstance(code, str) and code != "",
        f"error {response.status_code} has no non-empty string field code "
        f"(fields: {shown(sorted(body))})",
        expected='{"code": "<machine-readable code>", ...} (error-codes.txt)',
        exchange=response,
        finding="error bodies carry no string code",
    )


def _is_documented_bare_text(response: ResponseLike, rules: Rules) -> bool:
    return (
        response.content_type.lower().startswith("text/")
        and response.text.strip() == rules.account_not_verified_message
    )


def expect_refusal(
    verify: Verifier,
    requirement: str,
    response: ResponseLike,
    refusal: Refusal,
    *,
    message: str | None = None,
    what: str,
) -> bool:
    """Record whether ``response`` refused ``what`` with a status ``refusal`` admits, and with
    the documented message when the docs give one (the envelope is checked separately)."""
    status = response.status_code
    if status not in refusal:
        return verify.check(
            requirement,
            False,
            f"{what}: answered {status}",
            expected=f"a {refusal.label} refusal",
            exchange=response,
        )
    if message is not None:
        got = error_message(response)
        if not verify.check(
            requirement,
            got == message,
            f"{what}: refused with {status} but message {shown(got)}",
            expected=f"message {shown(message)} verbatim",
            exchange=response,
        ):
            return False
    return verify.check(requirement, True)


def expect_code(
    verify: Verifier, requirement: str, response: ResponseLike, codes: Collection[str], *, what: str
) -> bool:
    """Record whether a refusal carries one of the codes error-codes.txt names for it (the
    requirements that pin codes are SHOULDs: only that page names codes)."""
    if not 400 <= response.status_code < 500:
        return True  # the refusal itself is judged elsewhere
    got = error_code(response)
    return verify.check(
        requirement,
        got in codes,
        f"{what}: refused with code {shown(got)}",
        expected=f"code {' or '.join(repr(c) for c in sorted(codes))} (error-codes.txt)",
        exchange=response,
    )


def expect_success(
    verify: Verifier, requirement: str, response: ResponseLike, *, what: str
) -> bool:
    """Record whether ``response`` is a 2xx (success codes are undocumented: any 2xx passes)."""
    ok = 200 <= response.status_code < 300
    detail = ""
    if not ok:
        code = error_code(response)
        detail = f" (code {shown(code)})" if code else ""
    return verify.check(
        requirement,
        ok,
        f"{what}: answered {response.status_code}{detail}",
        expected="a 2xx success",
        exchange=response,
    )


def expect_let_in(
    verify: Verifier,
    requirements: Collection[str],
    response: ResponseLike,
    rules: Rules,
    *,
    what: str,
    expected: str,
    status_requirement: str,
    status: int,
    because: str,
) -> None:
    """Record whether a key was let in: neither a key refusal nor a scope refusal for each of
    `requirements`, and not `status` for `status_requirement` (ERR-004's 401, ERR-005's 403)."""
    refused = (rules.unauthorized_status, rules.forbidden_status)
    for requirement in requirements:
        verify.check(
            requirement,
            response.status_code not in refused,
            what,
            expected=f"{expected} (no {' or '.join(map(str, refused))})",
            exchange=response,
        )
    verify.check(
        status_requirement,
        response.status_code != status,
        what,
        expected=f"no {status} {because}",
        exchange=response,
    )
