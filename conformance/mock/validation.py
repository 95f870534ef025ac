"""Field rules of the requests: E.164, voice duration, sender exclusivity, type, content, media.

Input is what the HTTP layer read (a decoded JSON value, or multipart fields as text and files);
output is a typed command for the model, or a 422 error (errors.BodyInvalid). Nothing here knows
about HTTP or state. Order inside sendMessage: phones, sender exclusivity, type, content/media,
duration (the state rules in models.py come after).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Literal

from conformance.mock import ids
from conformance.mock.errors import (
    BodyInvalid,
    InvalidDuration,
    InvalidPhone,
    MissingMedia,
    SenderConflict,
    ValidationError,
)
from conformance.mock.faults import Faults

MessageType = Literal["text", "image", "voice", "document"]
MESSAGE_TYPES: tuple[MessageType, ...] = ("text", "image", "voice", "document")
MEDIA_TYPES: frozenset[str] = frozenset({"image", "voice", "document"})
BodySource = Literal["json", "multipart"]
PhoneField = Literal[
    "sender_phone", "to_phone", "register_phone", "lookup_phone", "lookup_sender_phone"
]

DURATION_MIN, DURATION_MAX = 1, 300
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
    """The sender a message names: by phone, by id, or (under faults) both or neither."""

    phone: str | None = None
    number_id: int | None = None
    named_unknown_id: bool = False  # an id was given but cannot name any sender


@dataclass(frozen=True)
class SendCommand:
    sender: SenderRef
    to_phone: str
    message_type: MessageType
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


# --- E.164 ------------------------------------------------------------------------------------


@cache
def _e164_pattern(plus_optional: bool, leading_zero: bool, low: int, high: int) -> re.Pattern[str]:
    # [0-9], not \d: Python's \d also matches non-ASCII digits, which E.164 does not allow.
    plus = r"\+?" if plus_optional else r"\+"
    first = "[0-9]" if leading_zero else "[1-9]"
    return re.compile(f"{plus}{first}[0-9]{{{low},{high}}}")


def e164(value: object, field: PhoneField, faults: Faults) -> str:
    """The phone number if it is E.164 (^\\+[1-9]\\d{1,14}$), else 422 invalid_phone."""
    code = "validation_error" if faults.invalid_phone_wrong_code else None
    if not isinstance(value, str):
        raise InvalidPhone(code=code)
    if faults.is_on(f"skip_e164_{field}"):
        return value
    candidate = _SEPARATORS.sub("", value) if faults.e164_accept_separators else value
    pattern = _e164_pattern(
        faults.e164_accept_missing_plus,
        faults.e164_accept_leading_zero,
        2 if faults.e164_reject_short else 1,
        15 if faults.e164_accept_16_digits else 14,
    )
    if pattern.fullmatch(candidate) is None:
        raise InvalidPhone(code=code)
    return candidate if candidate.startswith("+") else f"+{candidate}"


# --- voice duration ---------------------------------------------------------------------------


def duration(raw: object, *, required: bool, faults: Faults) -> int | None:
    """Seconds from 1 to 300, sent as a whole number (a form field is text); else 422."""
    if raw is None:
        if required and not faults.voice_accept_missing_duration:
            raise InvalidDuration("duration is required for voice messages")
        return None
    seconds = _whole_seconds(raw, faults)
    if seconds is None:
        raise InvalidDuration()
    low = DURATION_MIN - 1 if faults.voice_accept_0 else DURATION_MIN
    low = DURATION_MIN + 1 if faults.voice_reject_1 else low
    high = DURATION_MAX + 1 if faults.voice_accept_301 else DURATION_MAX
    high = DURATION_MAX - 1 if faults.voice_reject_300 else high
    if not low <= seconds <= high:
        raise InvalidDuration()
    return seconds


def _whole_seconds(raw: object, faults: Faults) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if not isinstance(raw, str):
        return None
    if _INTEGER_TEXT.fullmatch(raw):
        return int(raw)
    if faults.voice_accept_fraction and _FRACTION_TEXT.fullmatch(raw):
        return round(float(raw))
    return None


# --- sendMessage ------------------------------------------------------------------------------


@contextmanager
def _validation_status(faults: Faults) -> Iterator[None]:
    """Apply validation_wrong_status: a body-validation error answers 400 instead of 422."""
    try:
        yield
    except BodyInvalid as exc:
        if faults.validation_wrong_status:
            exc.wire_status = 400
        raise


def send_command(source: BodySource, body: object, *, faults: Faults) -> SendCommand:
    """A sendMessage request as a command; 422 (400 under a fault) when a field is wrong."""
    with _validation_status(faults):
        return _send_command(source, body, faults)


def _send_command(source: BodySource, body: object, faults: Faults) -> SendCommand:
    fields = _object(body)
    if "to_phone" not in fields:
        raise ValidationError("to_phone is required")
    to_phone = e164(fields["to_phone"], "to_phone", faults)
    sender_phone = None
    if "sender_phone" in fields:
        sender_phone = e164(fields["sender_phone"], "sender_phone", faults)
    sender = _sender_ref(sender_phone, fields, faults)
    message_type = _message_type(source, fields.get("type"))
    content: str | None = None
    media: Media | None = None
    if message_type == "text":
        content = _text_content(fields.get("content"), faults)
    else:
        media = _media(fields.get("media"), faults)
    seconds: int | None = None
    if message_type == "voice" or (source == "multipart" and "duration" in fields):
        # Present durations are checked on every media type (the contract types the field);
        # only voice requires one. Duration on non-voice types is left open by the docs.
        seconds = duration(fields.get("duration"), required=message_type == "voice", faults=faults)
    return SendCommand(sender, to_phone, message_type, content, media, seconds)


def _sender_ref(
    sender_phone: str | None, fields: Mapping[str, object], faults: Faults
) -> SenderRef:
    has_phone = "sender_phone" in fields
    has_id = "sender_number_id" in fields
    if has_phone and has_id and not faults.exclusivity_accept_both:
        raise SenderConflict("Provide sender_phone or sender_number_id, not both")
    if not has_phone and not has_id and not faults.exclusivity_accept_neither:
        raise SenderConflict("One of sender_phone or sender_number_id is required")
    if not has_id:
        return SenderRef(phone=sender_phone)
    number_id = _sender_number_id(fields["sender_number_id"])
    return SenderRef(phone=sender_phone, number_id=number_id, named_unknown_id=number_id is None)


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


def _message_type(source: BodySource, raw: object) -> MessageType:
    if raw is None:
        raise ValidationError("type is required")
    for known in MESSAGE_TYPES:
        if raw == known:
            if source == "json" and known in MEDIA_TYPES:
                raise MissingMedia(f"{known} messages are sent as multipart/form-data with media")
            if source == "multipart" and known == "text":
                raise ValidationError("text messages are sent as JSON with content")
            return known
    raise ValidationError("type must be one of text, image, voice, document")


def _text_content(raw: object, faults: Faults) -> str | None:
    if raw is None and faults.text_without_content_accepted:
        return None
    if raw is None:
        raise ValidationError("content is required for text messages")
    if not isinstance(raw, str):
        raise ValidationError("content must be a string")
    return raw


def _media(raw: object, faults: Faults) -> Media | None:
    if isinstance(raw, Media):
        return raw
    if faults.media_not_required:
        return None
    raise MissingMedia()


# --- registerSenderNumber ---------------------------------------------------------------------


def register_command(body: object, *, faults: Faults) -> RegisterCommand:
    """A registerSenderNumber body as a command; 422 (400 under a fault) when invalid."""
    with _validation_status(faults):
        return _register_command(body, faults)


def _register_command(body: object, faults: Faults) -> RegisterCommand:
    fields = _object(body)
    if "phone" not in fields:
        raise ValidationError("phone is required")
    phone = e164(fields["phone"], "register_phone", faults)
    display_name = fields.get("display_name")
    if "display_name" in fields and not isinstance(display_name, str):
        raise ValidationError("display_name must be a string")
    return RegisterCommand(phone, display_name if isinstance(display_name, str) else None)


# --- lookupContact ----------------------------------------------------------------------------


def lookup_query(params: Mapping[str, list[str]], *, faults: Faults) -> LookupQuery:
    """The lookup query parameters; 422 when phone is missing or a phone is not E.164."""
    phone = _single(params, "phone")
    if phone is None:
        raise ValidationError("phone is required")
    sender_phone = _single(params, "sender_phone")
    return LookupQuery(
        e164(phone, "lookup_phone", faults),
        None if sender_phone is None else e164(sender_phone, "lookup_sender_phone", faults),
    )


def _single(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise ValidationError(f"{name} must be given once")
    return values[0] if values else None


def _object(body: object) -> Mapping[str, object]:
    if not isinstance(body, dict):
        raise ValidationError("The request body must be a JSON object")
    return body
