"""Judging generated cases: what a schemathesis failure means under every reading of the docs.

The contract's schemas generate cases; they are stricter or looser than the docs in places, and
a schema-valid request can still break a business rule. So a failure counts against a
requirement only when the docs' own words make it one:

- a positive case that was refused fails a MUST only when it meets every documented
  precondition (configured sender and recipient, documented fields only, plain values);
- a negative case that was accepted fails only when it breaks a rule the docs state (E.164,
  the duration bounds, the four types, the required fields, one sender field);
- a response check fails only for an answer the docs describe (errors, lists, the lookup),
  never for the undocumented answer to a send or a registration.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conformance.checks.errors import error_texts, is_json_content_type
from conformance.config import TargetConfig
from conformance.http.evidence import Exchange
from conformance.rules.catalogue import Catalogue
from conformance.rules.contract import QUERY, PhoneField, operation
from conformance.rules.seconds import read_seconds
from conformance.rules.values import Rules
from conformance.rules.writes import WRITING_OPERATIONS

# A plain value: printable, short, no control characters (a server may bound or sanitise text).
_PLAIN_TEXT = re.compile(r"[^\x00-\x1f\x7f-\x9f]{1,160}")


@dataclass(frozen=True)
class Judgement:
    """What one failure of a generated case means."""

    requirement: str | None  # the requirement it fails; None: no failure under some reading
    note: str = ""  # why it is no failure (shown in the report as a reading the target chose)
    reading: str = ""  # the readings register entry that makes it no failure


Unmet = tuple[str, str]  # (the readings register entry, what is not met)


def unmet_preconditions(
    op_id: str, body: Any, query: Mapping[str, Any], config: TargetConfig
) -> list[Unmet]:
    """The documented preconditions a positive case does not meet (empty: it meets them all)."""
    unmet: list[Unmet] = []
    if op_id == "registerSenderNumber":
        # READ-010: the numbers the suite registers belong to no TGO Connect account.
        unmet.append(("READ-010", "registering a phone no TGO Connect account owns"))
    if op_id in WRITING_OPERATIONS:
        if not isinstance(body, dict):
            return [*unmet, ("READ-031", "the body is no JSON object")]
        # READ-031: a server may refuse a field the docs do not name.
        extra = sorted(set(body) - set(operation(op_id).body_fields))
        if extra:
            unmet.append(("READ-031", f"{len(extra)} fields the docs do not name"))
        for name, value in body.items():
            if isinstance(value, str) and not _PLAIN_TEXT.fullmatch(value):
                unmet.append(("READ-011", f"{name} is empty, long or holds control characters"))
    if op_id == "sendMessage" and isinstance(body, dict):
        active = config.sender("active")
        named = (body.get("sender_phone"), body.get("sender_number_id"))
        if active is None or not any(
            value is not None and value in (active.phone, active.id) for value in named
        ):
            unmet.append(("READ-008", "the sender is not the configured active one"))
        if body.get("to_phone") != config.recipient("reachable"):
            unmet.append(("READ-016", "the recipient is not the configured reachable one"))
        if body.get("type") != "text":
            unmet.append(("READ-032", "a generated file, perhaps no image, voice or document"))
        if "duration" in body and body.get("type") != "voice":
            unmet.append(("READ-012", "a duration on a message that is not voice"))
    if op_id == "lookupContact":
        if query.get("phone") != config.recipient("reachable"):
            unmet.append(("READ-015", "a phone that may be in no numbering plan"))
        sender = query.get("sender_phone")
        active = config.sender("active")
        if sender is not None and (active is None or sender != active.phone):
            unmet.append(("READ-025", "a sender_phone that is no sender of the account"))
    return unmet


def documented_violation(op_id: str, case: Any, rules: Rules) -> str | None:
    """Which rule the docs state a negative case breaks (None: it breaks none under some reading,
    so a server may accept it)."""
    headers = {k.lower(): v for k, v in (case.headers or {}).items()}
    if rules.key_header.lower() not in headers:
        return f"no {rules.key_header}"
    query = case.query or {}
    violation = _phone_violation(rules, op_id, QUERY, query)
    if violation is not None or op_id not in WRITING_OPERATIONS:
        return violation
    body = case.body
    if not isinstance(body, dict):
        return "the body is no object"
    media_type = (getattr(case, "media_type", "") or "").split(";")[0].strip()
    violation = _phone_violation(rules, op_id, media_type, body)
    if violation is not None or op_id != "sendMessage":
        return violation
    return _send_violation(body, rules, media_type)


def _phone_violation(rules: Rules, op_id: str, where: str, values: Mapping[str, Any]) -> str | None:
    """The first phone field (the contract's, sent `where`) whose value breaks E.164: a
    required one absent or invalid, an optional one present and invalid. An empty or null
    optional value may be taken as absent (READ-011): the sender rule judges an empty
    sender_phone."""
    for place in _phone_places(rules, op_id, where):
        value = values.get(place.name)
        if place.required and not rules.phone.matches(value):
            return f"{place.name} missing or not E.164"
        absent = place.name not in values or _empty(value)
        if not place.required and not absent and not rules.phone.matches(value):
            return f"{place.name} not E.164"
    return None


def _phone_places(rules: Rules, op_id: str, where: str) -> list[PhoneField]:
    places = rules.operations[op_id].phone_fields
    if where == QUERY:
        return [place for place in places if place.in_query]
    body = [place for place in places if not place.in_query]
    # A media type the contract does not list: the body fields of every one it does.
    chosen = [place for place in body if place.where == where] or body
    return list({place.name: place for place in chosen}.values())


def _send_violation(body: dict[str, Any], rules: Rules, media_type: str) -> str | None:
    if _sender_violation(body):
        return "both sender fields, or neither"
    kind = body.get("type")
    if kind not in rules.message_types:
        return "type missing or not one of the four"
    multipart = media_type.startswith("multipart/")
    if kind in rules.media_types:
        if not multipart or "media" not in body:
            return "a media message without its file"
        if kind == "voice":
            return duration_violation(body.get("duration"), rules)
        return None
    if "content" not in body or body.get("content") is None:
        return "a text message without content"
    return None


def _sender_violation(body: Mapping[str, Any]) -> bool:
    """Whether the body fails to name exactly one sender under both readings of a null or an
    empty value (READ-011): it may be a value (the field is there, naming no sender) or an absent
    field. A sender_phone with a null beside a sender_number_id is one sender to a server that
    takes null for absent (DRF's and Pydantic's optional fields do), so it breaks no rule."""
    named = ("sender_phone" in body, "sender_number_id" in body)
    given = tuple(not _empty(body.get(name)) for name in ("sender_phone", "sender_number_id"))
    as_value = named[0] == named[1] or (named[0] and not given[0])  # an empty phone is no E.164
    as_absent = given[0] == given[1]
    return as_value and as_absent


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _empty_sender_field(body: Any) -> bool:
    """Whether a body holds a null or empty sender field, which a server may take for an absent
    one (READ-011)."""
    senders = ("sender_phone", "sender_number_id")
    return isinstance(body, dict) and any(n in body and _empty(body[n]) for n in senders)


def duration_violation(raw: Any, rules: Rules) -> str | None:
    """Whether a voice duration breaks the docs under every reading (None: some reasonable
    reader takes it for seconds within the bounds, READ-013; conformance.rules.seconds)."""
    if raw is None:
        return "a voice message without duration"
    seconds = read_seconds(raw).value
    if seconds is None:
        return "duration is no number"
    if seconds not in rules.duration:
        return "duration out of range"
    return None


def judge(
    *,
    op_id: str,
    positive: bool,
    checks: set[str],
    exchange: Exchange,
    case: Any,
    config: TargetConfig,
    rules: Rules,
    catalogue: Catalogue,
) -> Judgement:
    """The requirement one schemathesis failure (its check names) speaks against, if any."""
    status = exchange.status_code
    owner = catalogue.response_requirement(op_id)
    if "missing_required_header" in checks or "ignored_auth" in checks:
        return Judgement("AUTH-001")
    if status == rules.unauthorized_status:
        return Judgement("ERR-004")
    if status == rules.forbidden_status:
        return Judgement("ERR-005")
    if "positive_data_acceptance" in checks:
        unmet = unmet_preconditions(op_id, case.body, case.query or {}, config)
        if unmet:
            reading, what = unmet[0]
            return Judgement(None, f"refused a generated case with {what}", reading)
        return Judgement(owner)
    if "negative_data_rejection" in checks:
        violation = documented_violation(op_id, case, rules)
        if violation is None:
            reading = "READ-011" if _empty_sender_field(case.body) else "READ-031"
            return Judgement(None, "accepted a case only the schema forbids", reading)
        if violation == f"no {rules.key_header}":
            return Judgement("AUTH-001")
        if op_id == "lookupContact":
            return Judgement("PHONE-004")
        return Judgement("ERR-006")
    if status >= 500:
        if not positive and documented_violation(op_id, case, rules) is not None:
            return Judgement("ERR-006" if op_id in WRITING_OPERATIONS else "PHONE-004")
        unmet = unmet_preconditions(op_id, case.body, case.query or {}, config) if positive else []
        if not positive or unmet:
            reading = unmet[0][0] if unmet else "READ-031"
            return Judgement(None, f"answered {status} to a case the docs do not decide", reading)
        return Judgement(owner)
    if checks == {"content_type_conformance"} and is_json_content_type(exchange.content_type):
        # Any JSON media type (application/problem+json...) is JSON (READ-021).
        return Judgement(None, f"answered as {exchange.content_type}", "READ-021")
    if status >= 400:
        if rules.account_not_verified_message in error_texts(exchange):
            return Judgement(None, "the account-not-verified refusal as bare text", "READ-002")
        if checks & {"content_type_conformance", "response_schema_conformance"}:
            return Judgement("ERR-001" if "content_type_conformance" in checks else "ERR-002")
        return Judgement(None, f"a {status} refusal the docs give no status for", "READ-007")
    if op_id in WRITING_OPERATIONS:
        # The docs do not describe the answer to a send or a registration (READ-017).
        return Judgement(None, "an answer to a write, which the docs do not describe", "READ-017")
    return Judgement(owner)


def finding_label(title: str, op_id: str, status: int) -> str:
    """The kind of finding a generated case's failure is: its check, operation and status
    (its message holds the generated values, which differ from case to case)."""
    return f"{title}: {op_id} answered {status}"
