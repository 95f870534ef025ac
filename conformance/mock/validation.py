"""Field rules of the requests: E.164, voice duration, sender exclusivity, type, content, media.

Input is what the HTTP layer read (a decoded JSON value, or multipart fields as text and files);
output is a typed command for the model, or an error (errors.BodyInvalid). Nothing here knows
about HTTP or state. Order inside sendMessage: fields (fields.py), phones, sender exclusivity,
type, fields of another type, content/media, duration (the state rules in models.py come
after). Every value (E.164, the duration bounds, the message types) is read from the behaviour's
rules, and which fields take a phone number from the contract (Operation.phone_fields); the
readings the docs leave open from its choices, and what a number of seconds may look like from
conformance.rules.seconds (the definition the generated-case judge shares).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from conformance.mock import ids
from conformance.mock.behaviour import HOOKS, Behaviour
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
    OPTIONAL_JSON_FIELDS,
    TEXT_FIELDS,
    VOICE_FIELDS,
    FieldReader,
    Fields,
)
from conformance.mock.media import Media, fits
from conformance.rules.contract import QUERY
from conformance.rules.seconds import read_seconds

BodySource = Literal["json", "multipart"]
Seconds = int | float

# The contract's media type of each body the HTTP layer reads.
_MEDIA_TYPE: dict[BodySource, str] = {
    "json": "application/json",
    "multipart": "multipart/form-data",
}
# The broken variants name the hook that skips one place's E.164 check after the place:
# skip_e164_<prefix><field> (skip_e164_to_phone, skip_e164_lookup_sender_phone).
_SKIP_HOOK_PREFIX = {
    "sendMessage": "",
    "registerSenderNumber": "register_",
    "lookupContact": "lookup_",
}

_SEPARATORS = re.compile(r"[\s\-().]")


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

    def phones(
        self, operation_id: str, where: str, fields: Fields, *, required: bool | None = None
    ) -> dict[str, str]:
        """Every phone number the contract puts in this request (Operation.phone_fields sent
        `where`; only the required or optional ones when `required` says), E.164-checked: the
        required ones first (absent: refused as missing), then the optional ones present."""
        places = [
            place
            for place in self.rules.operations[operation_id].phone_fields
            if place.where == where and required in (None, place.required)
        ]
        phones: dict[str, str] = {}
        for place in sorted(places, key=lambda place: not place.required):
            if not place.required and place.name not in fields:
                continue
            value = fields.require(place.name) if place.required else fields.get(place.name)
            prefix = _SKIP_HOOK_PREFIX.get(operation_id, f"{operation_id}_")
            phones[place.name] = self.e164(value, f"{prefix}{place.name}")
        return phones

    def e164(self, value: object, field: str) -> str:
        """The phone number if the rules' E.164 takes it, else invalid_phone (`field` names
        the place for its skip_e164_ hook)."""
        if not isinstance(value, str):
            raise InvalidPhone()
        skip = f"skip_e164_{field}"
        # A place the contract gains has no broken variant yet, so no hook to consult.
        if skip in HOOKS and self.hook(skip):
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
        spelling = read_seconds(raw)
        # The docs' spelling of whole seconds; under the READ-013 choice, every spelling a
        # reasonable reader takes for a number, a fraction kept as given.
        seconds = spelling.value if self.choices.fractional_duration else spelling.whole
        if spelling.value is None and self.hook("accept_non_number_duration"):
            return None  # a word taken as no duration at all
        if seconds is None or seconds not in self.rules.duration:
            raise InvalidDuration()
        return seconds

    # --- sendMessage ---

    def send_command(self, source: BodySource, body: object) -> SendCommand:
        """A sendMessage request as a command; an error when a field is wrong."""
        fields = self.fields.body(
            body,
            self.rules.operations["sendMessage"].body_fields,
            OPTIONAL_JSON_FIELDS["sendMessage"],
        )
        if "to_phone" not in fields and self.hook("server_error_without_to_phone"):
            raise RuntimeError("to_phone")  # read as if always present
        phones = self.phones("sendMessage", _MEDIA_TYPE[source], fields)
        to_phone = phones["to_phone"]
        sender = self._sender_ref(phones.get("sender_phone"), fields)
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
        fields = self.fields.body(
            body,
            self.rules.operations["registerSenderNumber"].body_fields,
            OPTIONAL_JSON_FIELDS["registerSenderNumber"],
        )
        if "phone" not in fields and self.hook("server_error_without_register_phone"):
            raise RuntimeError("phone")  # read as if always present
        phone = self.phones("registerSenderNumber", _MEDIA_TYPE["json"], fields)["phone"]
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
        phones = self.phones("lookupContact", QUERY, fields, required=True)
        if "sender_phone" not in fields and self.hook("lookup_needs_sender_phone"):
            raise fields.missing("sender_phone")
        if "sender_phone" in fields and self.hook("lookup_refuses_sender_phone"):
            raise ValidationError("Unknown query parameter: sender_phone")
        phones.update(self.phones("lookupContact", QUERY, fields, required=False))
        return LookupQuery(phones["phone"], phones.get("sender_phone"))


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
