"""Field rules of the requests: E.164, voice duration, sender exclusivity, type, content, media.

Input is what the HTTP layer read (a decoded JSON value, or multipart fields as text and files);
output is a typed command for the model, or an error (errors.BodyInvalid). Nothing here knows
about HTTP or state. Order inside sendMessage: phones, sender exclusivity, type, content/media,
duration (the state rules in models.py come after). Every value (E.164, the duration bounds, the
message types) is read from the behaviour's rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from conformance.mock import ids
from conformance.mock.behaviour import Behaviour
from conformance.mock.errors import (
    InvalidDuration,
    InvalidPhone,
    MissingMedia,
    SenderConflict,
    ValidationError,
)

BodySource = Literal["json", "multipart"]
PhoneField = Literal[
    "sender_phone", "to_phone", "register_phone", "lookup_phone", "lookup_sender_phone"
]

_SEPARATORS = re.compile(r"[\s\-().]")
_INTEGER_TEXT = re.compile(r"-?[0-9]{1,9}")
_FRACTION_TEXT = re.compile(r"-?[0-9]{1,9}\.[0-9]{1,9}")


@dataclass(frozen=True)
class Media:
    """An uploaded file, as far as the model cares."""

    filename: str
    size: int
    content_type: str | None = None


@dataclass(frozen=True)
class SenderRef:
    """The sender a message names: by phone, by id, or (under hooks) both or neither."""

    phone: str | None = None
    number_id: int | None = None
    named_unknown_id: bool = False  # an id was given but cannot name any sender


@dataclass(frozen=True)
class SendCommand:
    sender: SenderRef
    to_phone: str
    message_type: str
    content: str | None
    media: Media | None
    duration: int | None


@dataclass(frozen=True)
class RegisterCommand:
    phone: str
    display_name: str | None


@dataclass(frozen=True)
class LookupQuery:
    phone: str
    sender_phone: str | None


class Validator:
    """The field rules of one mock's behaviour."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.rules = behaviour.rules
        self.hook = behaviour.hook

    # --- E.164 ---

    def e164(self, value: object, field: PhoneField) -> str:
        """The phone number if the rules' E.164 takes it, else invalid_phone."""
        if not isinstance(value, str):
            raise InvalidPhone()
        if self.hook(f"skip_e164_{field}"):
            return value
        candidate = _SEPARATORS.sub("", value) if self.hook("strip_phone_separators") else value
        if not self.rules.phone.matches(candidate):
            raise InvalidPhone()
        return candidate if candidate.startswith("+") else f"+{candidate}"

    # --- voice duration ---

    def duration(self, raw: object, *, required: bool) -> int | None:
        """Whole seconds within the rules' bounds (a form field is text); else invalid."""
        if raw is None:
            if required and not self.hook("voice_without_duration"):
                raise InvalidDuration("duration is required for voice messages")
            return None
        seconds = self._whole_seconds(raw)
        if seconds is None or seconds not in self.rules.duration:
            raise InvalidDuration()
        return seconds

    def _whole_seconds(self, raw: object) -> int | None:
        if isinstance(raw, bool):
            return None
        if isinstance(raw, int):
            return raw
        if not isinstance(raw, str):
            return None
        if _INTEGER_TEXT.fullmatch(raw):
            return int(raw)
        if self.hook("accept_fractional_duration") and _FRACTION_TEXT.fullmatch(raw):
            return round(float(raw))
        return None

    # --- sendMessage ---

    def send_command(self, source: BodySource, body: object) -> SendCommand:
        """A sendMessage request as a command; an error when a field is wrong."""
        fields = _object(body)
        if "to_phone" not in fields:
            raise ValidationError("to_phone is required")
        to_phone = self.e164(fields["to_phone"], "to_phone")
        sender_phone = None
        if "sender_phone" in fields:
            sender_phone = self.e164(fields["sender_phone"], "sender_phone")
        sender = self._sender_ref(sender_phone, fields)
        message_type = self._message_type(source, fields.get("type"))
        content: str | None = None
        media: Media | None = None
        if message_type in self.rules.media_types:
            media = self._media(fields.get("media"))
        else:
            content = self._text_content(fields.get("content"))
        seconds: int | None = None
        if message_type == "voice" or (source == "multipart" and "duration" in fields):
            # Present durations are checked on every media type (the contract types the
            # field); only voice requires one.
            seconds = self.duration(fields.get("duration"), required=message_type == "voice")
        return SendCommand(sender, to_phone, message_type, content, media, seconds)

    def _sender_ref(self, sender_phone: str | None, fields: Mapping[str, object]) -> SenderRef:
        has_phone = "sender_phone" in fields
        has_id = "sender_number_id" in fields
        if has_phone and has_id and not self.hook("accept_both_senders"):
            raise SenderConflict("Provide sender_phone or sender_number_id, not both")
        if not has_phone and not has_id and not self.hook("accept_no_sender"):
            raise SenderConflict("One of sender_phone or sender_number_id is required")
        if not has_id:
            return SenderRef(phone=sender_phone)
        number_id = _sender_number_id(fields["sender_number_id"])
        return SenderRef(
            phone=sender_phone, number_id=number_id, named_unknown_id=number_id is None
        )

    def _message_type(self, source: BodySource, raw: object) -> str:
        if raw is None:
            raise ValidationError("type is required")
        if not isinstance(raw, str) or raw not in self.rules.message_types:
            raise ValidationError(f"type must be one of {', '.join(self.rules.message_types)}")
        if source == "json" and raw in self.rules.media_types:
            raise MissingMedia(f"{raw} messages are sent as multipart/form-data with media")
        if source == "multipart" and raw not in self.rules.media_types:
            raise ValidationError(f"{raw} messages are sent as JSON")
        return raw

    def _text_content(self, raw: object) -> str | None:
        if raw is None and self.hook("text_without_content"):
            return None
        if raw is None:
            raise ValidationError("content is required for text messages")
        if not isinstance(raw, str):
            raise ValidationError("content must be a string")
        return raw

    def _media(self, raw: object) -> Media | None:
        if isinstance(raw, Media):
            return raw
        if self.hook("media_not_required"):
            return None
        raise MissingMedia()

    # --- registerSenderNumber ---

    def register_command(self, body: object) -> RegisterCommand:
        """A registerSenderNumber body as a command; an error when invalid."""
        fields = _object(body)
        if "phone" not in fields:
            raise ValidationError("phone is required")
        phone = self.e164(fields["phone"], "register_phone")
        display_name = fields.get("display_name")
        if "display_name" in fields and not isinstance(display_name, str):
            raise ValidationError("display_name must be a string")
        return RegisterCommand(phone, display_name if isinstance(display_name, str) else None)

    # --- lookupContact ---

    def lookup_query(self, params: Mapping[str, list[str]]) -> LookupQuery:
        """The lookup query parameters; an error when phone is missing or not E.164."""
        phone = _single(params, "phone")
        if phone is None:
            raise ValidationError("phone is required")
        sender_phone = _single(params, "sender_phone")
        return LookupQuery(
            self.e164(phone, "lookup_phone"),
            None if sender_phone is None else self.e164(sender_phone, "lookup_sender_phone"),
        )


def _sender_number_id(raw: object) -> int | None:
    """An integer, or text naming one (multipart fields are text); None names no sender."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValidationError("sender_number_id must be an integer or a string")
    if isinstance(raw, float):
        if not raw.is_integer():
            raise ValidationError("sender_number_id must be an integer or a string")
        raw = int(raw)
    if isinstance(raw, int):
        return raw if 0 < raw < 10**18 else None
    return ids.decode_sender_id(raw)


def _single(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise ValidationError(f"{name} must be given once")
    return values[0] if values else None


def _object(body: object) -> Mapping[str, object]:
    if not isinstance(body, dict):
        raise ValidationError("The request body must be a JSON object")
    return body
