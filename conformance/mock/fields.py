"""The fields of a request body or query, as one mock reads them: which are present, which the
API knows, and how an absent required one is refused.

Whether an empty string is an absent field (READ-011, choices.empty_is_missing), whether a JSON
null in an optional body field is one (READ-011, choices.null_is_absent) and whether a field the
docs do not name is refused (READ-031, choices.refuse_unknown_fields) are read here, in
FieldReader, for every operation. Which field belongs to which message type (READ-012) is
named here too; validation.py applies it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from conformance.mock.behaviour import Behaviour
from conformance.mock.errors import BodyInvalid, MissingField, UnknownField, ValidationError

LOOKUP_PARAMS = ("phone", "sender_phone")
# A field of one message type only (READ-012): text has content, media types a file, voice a
# duration.
TEXT_FIELDS = ("content",)
MEDIA_FIELDS = ("media",)
VOICE_FIELDS = ("duration",)
# The body fields a JSON request may leave out (the contract's request schemas do not require
# them; sendMessage's oneOf asks for one of the two senders, not for either): where a null is an
# absent field under READ-011's other reading, as Pydantic's Optional fields take it. A test
# (tests/mock/test_mock_readings_requests.py) holds them to the contract's `required` lists.
OPTIONAL_JSON_FIELDS: Mapping[str, tuple[str, ...]] = {
    "sendMessage": ("sender_phone", "sender_number_id"),
    "registerSenderNumber": ("display_name",),
}


class Fields:
    """The present fields of one request."""

    def __init__(self, values: Mapping[str, object], *, missing_codes: bool) -> None:
        self.values = dict(values)
        self.missing_codes = missing_codes

    def __contains__(self, name: object) -> bool:
        return name in self.values

    def get(self, name: str) -> object | None:
        return self.values.get(name)

    def require(self, name: str) -> object:
        """The value of a required field (null included); refused as missing when absent."""
        if name not in self.values:
            raise self.missing(name)
        return self.values[name]

    def missing(self, name: str) -> BodyInvalid:
        """The refusal of an absent required field."""
        return MissingField(name) if self.missing_codes else ValidationError(f"{name} is required")


class FieldReader:
    """Reads fields under one behaviour's choices."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.choices = behaviour.choices

    def body(self, body: object, known: Collection[str], optional: Collection[str] = ()) -> Fields:
        """The fields of a JSON object or a form; 422 when it is no object, or (under the
        choice) when it names a field outside `known`. Under choices.null_is_absent, a null in
        one of the `optional` fields is left out (a form holds no nulls)."""
        if not isinstance(body, dict):
            raise ValidationError("The request body must be a JSON object")
        if self.choices.null_is_absent:
            body = {k: v for k, v in body.items() if not (v is None and k in optional)}
        fields = self._present(body)
        if self.choices.refuse_unknown_fields:
            unknown = sorted(set(fields.values) - set(known))
            if unknown:
                raise UnknownField(f"Unknown field: {', '.join(unknown)}")
        return fields

    def query(self, params: Mapping[str, list[str]], names: Collection[str]) -> Fields:
        """The named query parameters, each given at most once."""
        values: dict[str, object] = {}
        for name in names:
            found = params.get(name, [])
            if len(found) > 1:
                raise ValidationError(f"{name} must be given once")
            if found:
                values[name] = found[0]
        return self._present(values)

    def _present(self, values: Mapping[str, object]) -> Fields:
        empty_is_missing = self.choices.empty_is_missing
        if empty_is_missing:
            values = {name: value for name, value in values.items() if value != ""}
        return Fields(values, missing_codes=empty_is_missing)
