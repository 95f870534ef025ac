"""The wire shapes: how records and errors look as JSON, under one mock's behaviour.

Every method returns plain JSON data; routes.py turns it into a response. The choices the docs
leave open (id style, timestamps, extra fields, the lookup's and usage's fields, error wording)
and the hooks that break a documented shape are read here, where the shape is made; list
envelopes and pages are paging.py's.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from conformance.mock import ids
from conformance.mock.behaviour import Behaviour
from conformance.mock.delivery import FAILED, QUEUED
from conformance.mock.errors import MockError
from conformance.mock.records import Lookup, Message, SenderInfo, UsageEntry

Json = dict[str, object]

# Values outside the documented enum (sender_list_status_outside_enum).
_WRONG_STATUS = {
    "pending_verification": "pending",
    "active": "enabled",
    "pending_account_verification": "needs_account_verification",
    "rejected": "declined",
    "suspended": "blocked",
}
# The resource name a "named" list envelope uses.
# The statuses of a message that has not been sent (yet): READ-048 lets its sent_at be null.
UNSENT = (QUEUED, FAILED)
LIST_NAMES = {"sender": "sender_numbers", "message": "messages", "usage": "usage"}


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with a Z, like the docs' examples ("2025-01-10T08:00:00Z")."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Views:
    """JSON shapes of one mock."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.choices = behaviour.choices
        self.rules = behaviour.rules
        self.hook = behaviour.hook

    def _id(self, kind: ids.IdKind, number: int) -> int | str:
        return ids.encode(kind, number, self.choices.id_style)

    def _extras(self, body: Json, kind: str) -> Json:
        if self.choices.extra_fields:
            body.update({"object": kind, "livemode": False})
        return body

    def _time(self, moment: datetime) -> str | int:
        """A timestamp as the choices write it (READ-014)."""
        style = self.choices.timestamps
        if style == "epoch":
            return int(moment.timestamp())
        if style == "offset_micro":
            return moment.astimezone(UTC).isoformat(timespec="microseconds")
        return timestamp(moment)

    def sender(self, info: SenderInfo, *, in_list: bool = False) -> Json:
        body: Json = {
            "id": self._id("sender", info.id),
            "phone": info.phone,
            "display_name": info.display_name,
            "status": info.status,
            "verification_status": info.verification_status,
        }
        if in_list and self.hook("sender_list_phone_without_plus"):
            body["phone"] = info.phone.removeprefix("+")  # as the database stores it
        if in_list and self.hook("sender_list_status_outside_enum"):
            body["status"] = _WRONG_STATUS[info.status]
        if in_list and self.hook("sender_list_without_verification_status"):
            del body["verification_status"]
        return self._extras(body, "sender_number")

    def message(self, entry: Message, *, in_log: bool = False) -> Json:
        """A log entry (also the body of an accepted send)."""
        body: Json = {
            "id": self._id("message", entry.id),
            "sender_number_id": self._id("sender", entry.sender_number_id),
            "message_type": entry.message_type,
            "content": entry.content,
            "status": entry.status,
            "sent_at": None
            if self.choices.sent_at_null_until_sent and entry.status in UNSENT
            else self._time(entry.sent_at),
            "to_phone": entry.to_phone,
        }
        if entry.media_filename is not None:
            body["media_filename"] = entry.media_filename
        if entry.duration is not None:
            body["duration"] = entry.duration
        if in_log:
            if entry.media_filename is not None and self.hook("log_media_as_document"):
                body["message_type"] = "document"  # every upload logged as a document
            if self.hook("log_sent_at_not_datetime"):
                body["sent_at"] = entry.sent_at.strftime("%d/%m/%Y %H:%M")
            for name in ("sent_at", "sender_number_id", "message_type"):
                if self.hook(f"log_without_{name}"):
                    del body[name]
        return self._extras(body, "message")

    def lookup(self, result: Lookup) -> Json:
        verified_at = result.phone_verified_at
        body: Json = {
            "exists": result.exists,
            "can_receive": result.can_receive,
            "reason_code": result.reason_code,
            "recipient_id": (
                None if result.recipient_id is None else self._id("recipient", result.recipient_id)
            ),
            "is_verified": result.is_verified,
            "phone_verified_at": None if verified_at is None else self._time(verified_at),
        }
        if self.choices.lookup_fields == "promised":
            # The lookup fields the text promises (READ-017); the example shows three more.
            body = {name: body[name] for name in self.rules.lookup_fields}
        if self.hook("lookup_exists_as_string"):
            body["exists"] = "true" if result.exists else "false"
        if self.hook("lookup_without_exists"):
            del body["exists"]
        return self._extras(body, "contact_lookup")

    def usage(self, entry: UsageEntry) -> Json:
        body: Json
        if entry.sender_number_id is None:  # usage_grouped_by_type: no sender named
            body = {"message_type": entry.message_type, "message_count": entry.message_count}
        elif self.choices.usage_shape == "total_by_phone":  # READ-027
            body = {
                "sender_phone": entry.sender_phone,
                "total_messages": entry.message_count,
                "by_type": dict(entry.by_type),
            }
        elif self.choices.usage_shape == "nested_counts":  # READ-027
            body = {
                "sender_number_id": self._id("sender", entry.sender_number_id),
                "phone": entry.sender_phone,
                "messages": {"total": entry.message_count, **dict(entry.by_type)},
            }
        else:
            body = {
                "sender_number_id": self._id("sender", entry.sender_number_id),
                "sender_phone": entry.sender_phone,
                "message_count": entry.message_count,
            }
        return self._extras(body, "usage")

    def error(self, error: MockError) -> tuple[int, Json]:
        """The status and the envelope {"message": human text, "code": machine code} (the text
        under error instead, as error-codes.txt names it, when the choice says so)."""
        status, code, text = error.wire(self.rules, self.choices)
        if self.choices.own_wording:
            text = text if error.message_is_documented else f"Request refused ({code})"
            code = code if error.documented_code else f"E_{code.upper()}"
        body: Json = (
            {} if self.hook("error_without_text") else {self.choices.error_text_field: text}
        )
        if self.choices.error_code:
            body["code"] = code
        if self.choices.error_also_in_error and not self.hook("error_without_text"):
            body["error"] = text
        if self.choices.extra_fields:
            body["request_id"] = f"req_{secrets.token_hex(8)}"
        return status, body
