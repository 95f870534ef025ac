"""Request validation and response shapes.

Input fields raise ValidationError with our own machine-readable codes, so the exception
handler can answer {"error": ..., "code": ...} from the first failing field (declaration order),
then from the cross-field checks in validate().
"""

from __future__ import annotations

import re

from django.core.files.uploadedfile import UploadedFile
from rest_framework import serializers

from .errors import ApiError
from .settings import MAX_MEDIA_BYTES
from .state import MESSAGE_TYPES

E164 = re.compile(r"\+[1-9][0-9]{1,14}")
MAX_CONTENT_CHARS = 4096
MAX_DISPLAY_NAME_CHARS = 255

INVALID_E164 = ("invalid_phone", "Invalid E.164 phone number format")
INVALID_RECIPIENT = ("invalid_phone", "Invalid recipient phone number format")


def is_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class CodedField(serializers.Field):
    """A field whose failures carry explicit (code, message) pairs.

    `missing` answers an absent, null or empty value of a required field; `invalid` anything
    else that is wrong. An optional field treats null and "" as absent.
    """

    def __init__(self, *, missing=None, invalid, required=True, **kwargs):
        self.missing = missing
        self.invalid = invalid
        kwargs.setdefault("allow_null", not required)
        super().__init__(required=required, **kwargs)

    def fail(self, key, **kwargs):
        code, message = self.missing if key in ("required", "null") else self.invalid
        raise serializers.ValidationError(message, code=code)

    def fail_with(self, code: str, message: str):
        raise serializers.ValidationError(message, code=code)

    def validate_empty_values(self, data):
        if data == "" and not isinstance(data, UploadedFile):
            if self.required:
                self.fail("required")
            return True, None
        return super().validate_empty_values(data)

    def to_representation(self, value):
        return value


class PhoneField(CodedField):
    def to_internal_value(self, data):
        if not isinstance(data, str) or not E164.fullmatch(data):
            self.fail("invalid")
        return data


class IdField(CodedField):
    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            value = data
        elif isinstance(data, str) and data.isascii() and data.isdigit():
            digits = data.lstrip("0") or "0"
            value = int(digits) if len(digits) <= 18 else 10**18  # no such id
        else:
            self.fail("invalid")
        if value < 1:
            self.fail("invalid")
        return value


class TextField(CodedField):
    def __init__(self, *, max_length: int, too_long, **kwargs):
        self.max_length = max_length
        self.too_long = too_long
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not is_encodable(data):
            self.fail("invalid")
        if self.required and not data.strip():
            self.fail("required")
        if len(data) > self.max_length:
            self.fail_with(*self.too_long)
        return data


class ChoiceField(CodedField):
    def __init__(self, *, choices, **kwargs):
        self.choices = tuple(choices)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or data not in self.choices:
            self.fail("invalid")
        return data


class DurationField(CodedField):
    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            value = data
        elif isinstance(data, str) and data.isascii() and data.isdigit() and len(data) <= 6:
            value = int(data)
        else:
            self.fail("invalid")
        if not 1 <= value <= 300:
            self.fail("invalid")
        return value


# ---- requests -----------------------------------------------------------------------------


class SenderNumberCreateSerializer(serializers.Serializer):
    phone = PhoneField(
        missing=("missing_phone_number", "phone_number is required"), invalid=INVALID_E164
    )
    display_name = TextField(
        required=False,
        max_length=MAX_DISPLAY_NAME_CHARS,
        invalid=("invalid_display_name", "display_name must be a string"),
        too_long=(
            "display_name_too_long",
            f"display_name must be {MAX_DISPLAY_NAME_CHARS} characters or less",
        ),
    )


class MessageCreateSerializer(serializers.Serializer):
    """POST /api/v1/messages. context: {"media": UploadedFile | None, "media_sent": bool}."""

    sender_phone = PhoneField(required=False, invalid=INVALID_E164)
    sender_number_id = IdField(
        required=False,
        invalid=("invalid_sender_number_id", "sender_number_id must be a positive integer"),
    )
    to_phone = PhoneField(missing=("missing_to", "to is required"), invalid=INVALID_RECIPIENT)
    type = ChoiceField(
        choices=MESSAGE_TYPES,
        missing=("missing_type", "type is required"),
        invalid=("invalid_type", "type must be one of: " + ", ".join(MESSAGE_TYPES)),
    )
    content = TextField(
        required=False,
        max_length=MAX_CONTENT_CHARS,
        invalid=("invalid_content", "content must be a string"),
        too_long=("content_too_long", f"content must be {MAX_CONTENT_CHARS} characters or less"),
    )
    duration = DurationField(
        required=False,
        invalid=("invalid_duration", "duration must be an integer between 1 and 300"),
    )

    def validate(self, attrs):
        def fail(code, message):
            raise serializers.ValidationError(message, code=code)

        has_phone = attrs.get("sender_phone") is not None
        has_id = attrs.get("sender_number_id") is not None
        if not has_phone and not has_id:
            fail("missing_sender", "One of sender_phone or sender_number_id is required")
        if has_phone and has_id:
            fail("ambiguous_sender", "Provide one of sender_phone or sender_number_id, not both")

        kind = attrs["type"]
        media = self.context.get("media")
        media_sent = self.context.get("media_sent", False)
        if kind == "text":
            if not (attrs.get("content") or "").strip():
                fail("missing_body", "body is required")
            if media_sent:
                fail("invalid_media", "media is not allowed for text messages")
        else:
            if media_sent and media is None:
                fail("invalid_media", "media must be a file uploaded as multipart/form-data")
            if media is None:
                fail("missing_media", "media is required")
            if media.size == 0:
                fail("invalid_media", "media file is empty")
            if media.size > MAX_MEDIA_BYTES:
                raise_too_large()
        if kind == "voice" and attrs.get("duration") is None:
            fail("missing_duration", "duration is required")
        if kind != "voice" and attrs.get("duration") is not None:
            fail("invalid_duration", "duration is only allowed for voice messages")
        return attrs


def raise_too_large():
    raise ApiError(
        413, "media_too_large", f"media must be {MAX_MEDIA_BYTES // (1024 * 1024)} MB or less"
    )


class ContactLookupSerializer(serializers.Serializer):
    phone = PhoneField(
        missing=("missing_phone_number", "phone_number is required"), invalid=INVALID_E164
    )
    sender_phone = PhoneField(required=False, invalid=INVALID_E164)


# ---- responses ----------------------------------------------------------------------------


class SenderNumberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    phone = serializers.CharField()
    display_name = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    verification_status = serializers.CharField()


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sender_number_id = serializers.IntegerField()
    sender_phone = serializers.CharField()
    to_phone = serializers.CharField()
    message_type = serializers.CharField()
    content = serializers.CharField(allow_null=True)
    duration = serializers.IntegerField(allow_null=True)
    media = serializers.DictField(allow_null=True)
    status = serializers.CharField()
    sent_at = serializers.DateTimeField()


class UsageSerializer(serializers.Serializer):
    sender_number_id = serializers.IntegerField()
    phone = serializers.CharField()
    display_name = serializers.CharField(allow_null=True)
    message_count = serializers.IntegerField()
    by_type = serializers.DictField(child=serializers.IntegerField())
