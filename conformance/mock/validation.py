"""Field rules of the requests: E.164, voice duration, sender exclusivity, type, content, media.

Input is what the HTTP layer read (a decoded JSON value, or multipart fields as text and files);
output is a typed command for the model, or an error (errors.BodyInvalid). Nothing here knows
about HTTP or state. Order inside sendMessage: fields (fields.py), phones, sender exclusivity,
type, fields of another type, content/media, duration (the state rules in models.py come
after). Every value (E.164, the duration bounds, the message types) is read from the behaviour's
rules; the readings the docs leave open from its choices.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from conformance.mock import ids
from conformance.mock.behaviour import Behaviour
from conformance.mock.errors import (
    ForeignField,
    InvalidDuration,
    InvalidMedia,
    InvalidPhone,
    MissingMedia,
    SenderConflict,
    UnsupportedMediaType,
    ValidationError,
)
from conformance.mock.fields import (
    LOOKUP_PARAMS,
    MEDIA_FIELDS,
    TEXT_FIELDS,
    VOICE_FIELDS,
    FieldReader,
    Fields,
)
from conformance.mock.media import Media, fits

BodySource = Literal["json", "multipart"]
PhoneField = Literal[
    "sender_phone", "to_phone", "register_phone", "lookup_phone", "lookup_sender_phone"
]
Seconds = int | float

_SEPARATORS = re.compile(r"[\s\-().]")
_INTEGER_TEXT = re.compile(r"-?[0-9]{1,9}")
_FRACTION_TEXT = re.compile(r"-?[0-9]{1,9}\.[0-9]{1,9}")
# Anything a reader could take for a number (a sign, digits, a point, an exponent).
_NUMBER_TEXT = re.compile(r"\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*")


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
    duration: Seconds | None


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
        self.choices = behaviour.choices
        self.hook = behaviour.hook
        self.fields = FieldReader(behaviour)

    # --- E.164 ---

    def e164(self, value: object, field: PhoneField) -> str:
        """The phone number if the rules' E.164 takes it, else invalid_phone."""
        if not isinstance(value, str):
            raise InvalidPhone()
        if self.hook(f"skip_e164_{field}"):
            return value
        candidate = _SEPARATORS.sub("", value) if self.hook("strip_phone_separators") else value
        if field == "to_phone" and self.hook("to_phone_plus_optional") and value[:1].isdigit():
            candidate = f"+{candidate}"  # a recipient written without its "+" is given one
        if not self.rules.phone.matches(candidate):
            raise InvalidPhone()
        return candidate if candidate.startswith("+") else f"+{candidate}"

    # --- voice duration ---

    def duration(self, raw: object, *, required: bool) -> Seconds | None:
        """Seconds within the rules' bounds (a form field is text); else invalid."""
        if raw is None:
            if required and not self.hook("voice_without_duration"):
                raise InvalidDuration("duration is required for voice messages")
            return None
        seconds = self._seconds(raw)
        if seconds is None and self.hook("accept_non_number_duration") and not _numeric(raw):
            return None  # a word taken as no duration at all
        if seconds is None or seconds not in self.rules.duration:
            raise InvalidDuration()
        return seconds

    def _seconds(self, raw: object) -> Seconds | None:
        """Whole seconds, or (READ-013) a fraction kept as given; None for anything else."""
        if isinstance(raw, bool):
            return None
        if isinstance(raw, int):
            return raw
        if not isinstance(raw, str):
            return None
        if _INTEGER_TEXT.fullmatch(raw):
            return int(raw)
        if self.choices.fractional_duration and _FRACTION_TEXT.fullmatch(raw):
            return float(raw)
        return None

    # --- sendMessage ---

    def send_command(self, source: BodySource, body: object) -> SendCommand:
        """A sendMessage request as a command; an error when a field is wrong."""
        fields = self.fields.body(body, self.rules.operations["sendMessage"].body_fields)
        if "to_phone" not in fields and self.hook("server_error_without_to_phone"):
            raise RuntimeError("to_phone")  # read as if always present
        to_phone = self.e164(fields.require("to_phone"), "to_phone")
        sender_phone = None
        if "sender_phone" in fields:
            sender_phone = self.e164(fields.get("sender_phone"), "sender_phone")
        sender = self._sender_ref(sender_phone, fields)
        message_type = self._message_type(source, fields)
        self._refuse_foreign(message_type, fields)
        content: str | None = None
        media: Media | None = None
        if message_type in self.rules.media_types:
            part = "file" if self.hook("media_in_part_file") else "media"
            media = self._media(message_type, fields.get(part))
        else:
            content = self._text_content(fields)
        seconds: Seconds | None = None
        if message_type == "voice" or (source == "multipart" and "duration" in fields):
            # Present durations are checked on every media type (the contract types the
            # field); only voice requires one.
            seconds = self.duration(fields.get("duration"), required=message_type == "voice")
        return SendCommand(sender, to_phone, message_type, content, media, seconds)

    def _sender_ref(self, sender_phone: str | None, fields: Fields) -> SenderRef:
        has_phone = "sender_phone" in fields
        has_id = "sender_number_id" in fields
        if has_phone and has_id and not self.hook("accept_both_senders"):
            raise SenderConflict("Provide sender_phone or sender_number_id, not both")
        if not has_phone and not has_id and not self.hook("accept_no_sender"):
            raise SenderConflict("One of sender_phone or sender_number_id is required")
        if not has_phone and self.hook("sender_by_phone_only"):
            raise SenderConflict("sender_phone is required")
        if not has_id:
            return SenderRef(phone=sender_phone)
        number_id = _sender_number_id(fields.get("sender_number_id"))
        return SenderRef(
            phone=sender_phone, number_id=number_id, named_unknown_id=number_id is None
        )

    def _message_type(self, source: BodySource, fields: Fields) -> str:
        raw = fields.get("type")
        if raw is None:
            raise fields.missing("type")
        unknown = isinstance(raw, str) and raw not in self.rules.message_types
        if unknown and self.hook("unknown_type_as_text"):
            raw = "text"  # whatever is not a media type is sent as text
        if not isinstance(raw, str) or raw not in self.rules.message_types:
            raise ValidationError(f"type must be one of {', '.join(self.rules.message_types)}")
        if source == "json" and raw in self.rules.media_types:
            text = f"{raw} messages are sent as multipart/form-data with media"
            if self.choices.media_as_json_unsupported:
                raise UnsupportedMediaType(text)
            raise MissingMedia(text)
        if source == "json" and self.hook("text_json_refused"):
            raise UnsupportedMediaType("Messages are sent as multipart/form-data")
        as_form = source == "multipart" and raw not in self.rules.media_types
        if as_form and not self.choices.text_as_multipart:  # READ-033
            raise ValidationError(f"{raw} messages are sent as JSON")
        return raw

    def _refuse_foreign(self, message_type: str, fields: Fields) -> None:
        """READ-012: under the choice, a field of another message type is refused."""
        if not self.choices.refuse_foreign_fields:
            return
        own: tuple[str, ...] = VOICE_FIELDS if message_type == "voice" else ()
        own += MEDIA_FIELDS if message_type in self.rules.media_types else TEXT_FIELDS
        for name in (*TEXT_FIELDS, *MEDIA_FIELDS, *VOICE_FIELDS):
            if name in fields and name not in own:
                raise ForeignField(f"{name} is not a field of {message_type} messages")

    def _text_content(self, fields: Fields) -> str | None:
        raw = fields.get("content")
        if raw is None and self.hook("text_without_content"):
            return None
        if raw is None:
            raise fields.missing("content")
        if not isinstance(raw, str):
            raise ValidationError("content must be a string")
        return raw

    def _media(self, message_type: str, raw: object) -> Media | None:
        if isinstance(raw, Media):
            if self.choices.sniff_media and not fits(message_type, raw):
                raise InvalidMedia(f"The file is not a {message_type} file")
            return raw
        if self.hook("media_not_required"):
            return None
        raise MissingMedia()

    # --- registerSenderNumber ---

    def register_command(self, body: object) -> RegisterCommand:
        """A registerSenderNumber body as a command; an error when invalid."""
        fields = self.fields.body(body, self.rules.operations["registerSenderNumber"].body_fields)
        if "phone" not in fields and self.hook("server_error_without_register_phone"):
            raise RuntimeError("phone")  # read as if always present
        phone = self.e164(fields.require("phone"), "register_phone")
        display_name = fields.get("display_name")
        if "display_name" not in fields and self.hook("display_name_required"):
            raise fields.missing("display_name")
        if "display_name" in fields and not isinstance(display_name, str):
            raise ValidationError("display_name must be a string")
        return RegisterCommand(phone, display_name if isinstance(display_name, str) else None)

    # --- lookupContact ---

    def lookup_query(self, params: Mapping[str, list[str]]) -> LookupQuery:
        """The lookup query parameters; an error when phone is missing or not E.164."""
        fields = self.fields.query(params, LOOKUP_PARAMS)
        phone = self.e164(fields.require("phone"), "lookup_phone")
        sender_phone = None
        if "sender_phone" not in fields and self.hook("lookup_needs_sender_phone"):
            raise fields.missing("sender_phone")
        if "sender_phone" in fields and self.hook("lookup_refuses_sender_phone"):
            raise ValidationError("Unknown query parameter: sender_phone")
        if "sender_phone" in fields:
            sender_phone = self.e164(fields.get("sender_phone"), "lookup_sender_phone")
        return LookupQuery(phone, sender_phone)


def _numeric(raw: object) -> bool:
    """Whether a duration is a number at all (in or out of range, whole or not)."""
    if isinstance(raw, bool):
        return False
    if isinstance(raw, int | float):
        return True
    return isinstance(raw, str) and _NUMBER_TEXT.fullmatch(raw) is not None


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
