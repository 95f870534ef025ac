"""Error payloads: the envelope every error must have, and how a refusal is judged.

The envelope is validated against the contract's Error schema: a non-empty text in message (the
TGO pages) or in error (error-codes.txt), either page passing the MUST; text in error alone is
a SHOULD warning, and so is a missing code. A refusal is judged by a `Refusal`: the statuses the
docs pin for the situation, or the set a readings register entry accepts. Where the pages pin
different statuses for the same case, the refusal takes both, and one that follows
error-codes.txt rather than the TGO pages is a SHOULD warning that names both.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any, Protocol

from conformance.checks.values import shown
from conformance.rules.basis import Basis
from conformance.rules.values import Rules, load_rules
from conformance.verify import ProvidesEvidence, Verifier

# Checked on every error response any test sees, whatever the test is about.
ENVELOPE_REQUIREMENTS = frozenset({"ERR-001", "ERR-002", "ERR-003", "ERR-009", "ERR-015"})
# The MUST an error body without text breaks, whichever check sees it.
ENVELOPE_TEXT_REQUIREMENT = "ERR-002"
# The SHOULD that notes a refusal following error-codes.txt where the TGO pages differ: any
# test that expects an invalid body refused may record it.
TGO_STATUS_REQUIREMENT = "ERR-014"
AMBIENT_REQUIREMENTS = ENVELOPE_REQUIREMENTS | {TGO_STATUS_REQUIREMENT}


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
    """The statuses that refuse a request in a given situation, and how to say them. Where two
    pages pin different statuses (`tgo_status`, the TGO pages'), both are in `statuses`, and
    the other page's is a SHOULD warning (ERR-014) under the register entry `reading`."""

    statuses: frozenset[int]
    label: str
    tgo_status: int | None = None
    reading: str | None = None
    basis: Basis | None = None  # the rule that pins the statuses, when the docs pin them
    # The rule the request broke, when it is not the requirement's own sentence: it decides
    # when the target takes the request instead of refusing it.
    input_basis: Basis | None = None

    def __contains__(self, status: object) -> bool:
        return status in self.statuses

    @classmethod
    def exactly(cls, *statuses: int) -> Refusal:
        return cls(frozenset(statuses), "/".join(str(s) for s in sorted(statuses)))

    def widened(self, *statuses: int) -> Refusal:
        """The same refusal, also admitting statuses a register entry accepts beside the
        documented ones (415 for a media message sent as JSON): the basis stays the docs'."""
        extra = " or ".join(str(s) for s in statuses)
        # No tgo_status: a status outside both pages' says nothing of which page it followed.
        return Refusal(
            self.statuses | set(statuses),
            f"{self.label} or {extra}",
            basis=self.basis,
            input_basis=self.input_basis,
        )

    @classmethod
    def pinned(cls, rules: Rules, rule: str, says: str) -> Refusal:
        """The one status an x-tgo-rules entry pins (401 for a key problem, 403 for a scope)."""
        status = int(rules.sentences[rule].value)
        return cls(frozenset({status}), str(status), basis=rules.basis(says, rule))


def invalid_body(rules: Rules) -> Refusal:
    """A well-formed body with a missing or invalid field: the TGO table's 422 or
    error-codes.txt's 400, either page passing (ERR-006, READ-003)."""
    tgo, generic = rules.invalid_body_status, rules.invalid_body_generic_status
    return Refusal(
        frozenset({tgo, generic}),
        f"{tgo} (errors-and-troubleshooting.txt) or {generic} (error-codes.txt)",
        tgo_status=tgo,
        reading="READ-003",
        basis=rules.basis(
            f"invalid input is refused with {tgo} or {generic}",
            "invalid_body_status",
            "invalid_body_generic_status",
            reading="READ-003",
        ),
    )


def body_or_query(rules: Rules) -> Refusal:
    """An unreadable body or an invalid query parameter: 400 or 422 (READ-004, READ-005).
    The docs give no status for these; the two they give for invalid input are its basis."""
    refusal = invalid_body(rules)
    return Refusal(
        frozenset({400, rules.invalid_body_status}),
        f"{rules.invalid_body_status} or 400",
        basis=refusal.basis,
    )


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


# Where an error body carries its human text: the TGO pages' field, then error-codes.txt's.
TEXT_FIELDS = ("message", "error")


def error_texts(response: ResponseLike) -> list[str]:
    """The human texts of an error: its message and its error fields (READ-001), or (READ-002)
    a bare text body."""
    body = error_body(response)
    if body is not None:
        return [body[f] for f in TEXT_FIELDS if isinstance(body.get(f), str)]
    if response.content_type.lower().startswith("text/"):
        return [response.text.strip()]
    return []


def error_message(response: ResponseLike) -> str | None:
    """The human text of an error, as a person reads it first (message, else error)."""
    texts = error_texts(response)
    return texts[0] if texts else None


def envelope_basis(rules: Rules) -> Basis:
    """The rule an error body's text is judged by: in message (the TGO pages) or in error
    (error-codes.txt), either page passing (READ-001)."""
    return rules.basis(
        "every error body carries a non-empty human-readable text in message or error",
        "error_text_field",
        "error_text_field_generic",
        reading="READ-001",
    )


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
        f"error {response.status_code} body carries no non-empty text in message or error "
        f"(fields: {shown(sorted(body))})",
        expected='{"message": "<human-readable text>"} (errors-and-troubleshooting.txt) or '
        '{"error": "<human-readable text>"} (error-codes.txt)',
        exchange=response,
        finding="error bodies carry no human-readable text in message or error",
        basis=envelope_basis(rules),
    )
    shape = [name for name in ("message", "error", "code") if name in body]
    verify.chose("ERR-002", "READ-001", "error body: " + (", ".join(shape) or "none of the fields"))
    if problems:
        return  # no text anywhere: the SHOULD on where it goes has nothing to say
    message = body.get("message")
    verify.check(
        "ERR-015",
        isinstance(message, str) and message != "",
        f"error {response.status_code} carries its text in error, not message "
        f"(fields: {shown(sorted(body))})",
        expected='{"message": "..."} as errors-and-troubleshooting.txt shows it; error-codes.txt '
        "names the field error, which passes ERR-002",
        exchange=response,
        finding="error bodies carry their text in error (error-codes.txt), not message",
        basis=replace(
            envelope_basis(rules),
            says="the TGO pages show an error's text in message; error-codes.txt names it error",
        ),
    )
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


@dataclass(frozen=True)
class Broken:
    """The one property a negative case changed, for judging a refusal's reason: `field`, of
    the request whose fields are `fields` (the operation's, from the contract); `other_rules`,
    the documented texts of refusals for other rules (sender not active, account not verified).
    """

    field: str
    fields: tuple[str, ...]
    other_rules: tuple[str, ...] = ()


def broke(rules: Rules, operation: str, field: str, *, query: tuple[str, ...] = ()) -> Broken:
    """The case broke `field` of `operation` (its body fields, or the `query` parameters)."""
    fields = query or rules.operations[operation].body_fields
    texts = (rules.sender_not_active_message, rules.account_not_verified_message)
    return Broken(field, tuple(fields), texts)


def _names(text: str, name: str) -> bool:
    # A field named as a word of its own, or inside a code (missing_to_phone).
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", text, re.I) is not None


def other_reason(response: ResponseLike, broken: Broken) -> str | None:
    """What a refusal gives as its reason when that is not the property the case broke: another
    rule's documented text, or another field of the request and not this one (None: the
    refusal names no other reason, or none at all)."""
    texts = error_texts(response)
    for documented in broken.other_rules:
        if documented in texts:
            return f"its text is another rule's documented refusal, {shown(documented)}"
    said = " ".join([*texts, error_code(response) or ""])
    # Field names that are no common word (sender_phone, duration), so a mention is a name.
    distinct = [f for f in broken.fields if "_" in f or f in ("duration", "media")]
    named = [f for f in distinct if f != broken.field and _names(said, f)]
    if named and not _names(said, broken.field):
        return f"its error names {', '.join(named)}, not {broken.field}"
    return None


def expect_refusal(
    verify: Verifier,
    requirement: str,
    response: ResponseLike,
    refusal: Refusal,
    *,
    message: str | None = None,
    what: str,
    broken: Broken | None = None,
    text_basis: Basis | None = None,
) -> bool:
    """Record whether ``response`` refused ``what`` with a status ``refusal`` admits, with the
    documented message when the docs give one, and, for a case that broke one property
    (`broken`), for that reason as far as the refusal says (the envelope is checked
    separately)."""
    status = response.status_code
    if status not in refusal:
        return verify.check(
            requirement,
            False,
            f"{what}: answered {status}",
            expected=f"a {refusal.label} refusal",
            exchange=response,
            # A refusal with the wrong status breaks the status rule; an answer that took the
            # input breaks the rule the input broke, which is the requirement's own.
            basis=refusal.basis if status >= 400 else refusal.input_basis,
        )
    reason = None if broken is None else other_reason(response, broken)
    if reason is not None:
        return verify.check(
            requirement,
            False,
            f"{what}: refused with {status} for another reason: {reason}",
            expected=f"a refusal because of {broken.field if broken else 'the broken property'}",
            exchange=response,
            finding="a refusal for another reason than the property the case broke",
        )
    if refusal.tgo_status is not None:
        _note_page_followed(verify, requirement, response, refusal, what)
    if message is not None:
        texts = error_texts(response)
        if not verify.check(
            requirement,
            message in texts,
            f"{what}: refused with {status} but its text is {shown(error_message(response))}",
            expected=f"the text {shown(message)} verbatim, in message or error",
            exchange=response,
            # No text at all is the envelope's rule broken, not this text's.
            basis=text_basis if texts else envelope_basis(load_rules()),
        ):
            return False
    return verify.check(requirement, True)


def _note_page_followed(
    verify: Verifier, requirement: str, response: ResponseLike, refusal: Refusal, what: str
) -> None:
    """Which page's status a refusal followed: the reading, and the SHOULD on the TGO one."""
    status = response.status_code
    tgo = status == refusal.tgo_status
    page = "errors-and-troubleshooting.txt" if tgo else "error-codes.txt"
    if refusal.reading is not None:
        verify.chose(requirement, refusal.reading, f"invalid input: {status} ({page})")
    verify.check(
        TGO_STATUS_REQUIREMENT,
        tgo,
        f"{what}: refused with {status}, as error-codes.txt says",
        expected=f"{refusal.tgo_status}, as the TGO status table says (both pages pass "
        f"{requirement}: they contradict each other)",
        exchange=response,
        finding=f"invalid input answered {status} (error-codes.txt) where the TGO pages say "
        f"{refusal.tgo_status}",
        basis=None
        if refusal.basis is None
        else replace(
            refusal.basis,
            says=f"the TGO pages refuse invalid input with {refusal.tgo_status}, "
            f"error-codes.txt with {status}",
        ),
    )


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
