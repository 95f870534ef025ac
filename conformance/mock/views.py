"""The wire shapes: how records and errors look as JSON. Representation faults live here.

Every function returns plain JSON data; routes.py turns it into a response.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

from conformance.mock import ids
from conformance.mock.errors import MockError
from conformance.mock.faults import Faults
from conformance.mock.records import Lookup, Message, SenderInfo, UsageEntry

Json = dict[str, object]

# Values outside the documented enum (sender_list_wrong_status_value).
_WRONG_STATUS = {
    "pending_verification": "pending",
    "active": "enabled",
    "pending_account_verification": "needs_account_verification",
    "rejected": "declined",
    "suspended": "blocked",
}


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with a Z, like the docs' examples ("2025-01-10T08:00:00Z")."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _extras(body: Json, kind: str, faults: Faults) -> Json:
    if faults.compat_extra_fields:
        body.update({"object": kind, "livemode": False})
    return body


def listing(items: Sequence[Json], faults: Faults) -> object:
    """A list body: a bare array (the docs show none; any envelope is a compatible reading)."""
    ordered = list(reversed(items)) if faults.compat_reverse_order else list(items)
    return {"data": ordered} if faults.compat_envelope_data else ordered


def sender(info: SenderInfo, faults: Faults, *, in_list: bool = False) -> Json:
    body: Json = {
        "id": ids.encode("sender", info.id, faults),
        "phone": info.phone,
        "display_name": info.display_name,
        "status": info.status,
        "verification_status": info.verification_status,
    }
    if in_list and faults.sender_list_wrong_status_value:
        body["status"] = _WRONG_STATUS[info.status]
    if in_list and faults.sender_list_missing_verification_status:
        del body["verification_status"]
    return _extras(body, "sender_number", faults)


def message(entry: Message, faults: Faults, *, in_log: bool = False) -> Json:
    """A log entry (also the body of an accepted send)."""
    body: Json = {
        "id": ids.encode("message", entry.id, faults),
        "sender_number_id": ids.encode("sender", entry.sender_number_id, faults),
        "message_type": entry.message_type,
        "content": entry.content,
        "status": entry.status,
        "sent_at": timestamp(entry.sent_at),
        "to_phone": entry.to_phone,
    }
    if entry.media_filename is not None:
        body["media_filename"] = entry.media_filename
    if entry.duration is not None:
        body["duration"] = entry.duration
    if in_log:
        if faults.log_sent_at_not_datetime:
            body["sent_at"] = entry.sent_at.strftime("%d/%m/%Y %H:%M")
        for name in ("sent_at", "sender_number_id", "message_type"):
            if faults.is_on(f"log_missing_field_{name}"):
                del body[name]
    return _extras(body, "message", faults)


def lookup(result: Lookup, faults: Faults) -> Json:
    verified_at = result.phone_verified_at
    body: Json = {
        "exists": result.exists,
        "can_receive": result.can_receive,
        "reason_code": result.reason_code,
        "recipient_id": (
            None
            if result.recipient_id is None
            else ids.encode("recipient", result.recipient_id, faults)
        ),
        "is_verified": result.is_verified,
        "phone_verified_at": None if verified_at is None else timestamp(verified_at),
    }
    if faults.lookup_field_wrong_type:
        body["exists"] = "true" if result.exists else "false"
    if faults.lookup_missing_exists:
        del body["exists"]
    return _extras(body, "contact_lookup", faults)


def usage(entry: UsageEntry, faults: Faults) -> Json:
    body: Json = {
        "sender_number_id": ids.encode("sender", entry.sender_number_id, faults),
        "sender_phone": entry.sender_phone,
        "message_count": entry.message_count,
    }
    return _extras(body, "usage", faults)


def error_envelope(error: MockError, faults: Faults) -> Json:
    """{"message": human text, "code": machine code} (design reading 1)."""
    text, code = error.wire_message, error.wire_code
    if faults.compat_own_wording:
        text = text if error.documented_message else f"Request refused ({code})"
        code = code if error.documented_code else f"E_{code.upper()}"
    body: Json = {"error" if faults.error_message_field_named_error else "message": text}
    if not faults.error_without_code:
        body["code"] = code
    if faults.compat_extra_error_field:
        body["error"] = text
    if faults.compat_extra_fields:
        body["request_id"] = f"req_{secrets.token_hex(8)}"
    return body
