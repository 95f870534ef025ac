"""Routes of the TGO Business API (``/api/v1``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage

from .errors import OWNER_NOT_VERIFIED, SENDER_NOT_ACTIVE, ApiError
from .store import MESSAGE_TYPES, SendRefused, Store

bp = Blueprint("tgo_api", __name__, url_prefix="/api/v1")

PAGE_SIZE = 3
MAX_CONTENT_CHARS = 1600
MAX_DISPLAY_NAME_CHARS = 255
MIN_VOICE_SECONDS, MAX_VOICE_SECONDS = 1, 300
_PHONE = re.compile(r"\+[1-9][0-9]{1,14}")
_DIGITS = re.compile(r"[0-9]+")
_MEDIA_KINDS = {"image": ("image/", "an image"), "voice": ("audio/", "an audio file")}

INVALID_PHONE = "Invalid E.164 phone number format"
INVALID_RECIPIENT = "Invalid recipient phone number format"

View = TypeVar("View", bound=Callable[..., ResponseReturnValue])


def store() -> Store:
    return current_app.extensions["tgo_store"]


# ---------------------------------------------------------------- auth


def require_scope(scope: str | None) -> Callable[[View], View]:
    """Authenticate with X-Api-Key; check ``scope`` unless it is None."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            supplied = request.headers.get("X-Api-Key", "")
            if not supplied:
                raise _unauthorized("missing_api_key", "API key required")
            key = store().api_key(supplied)
            if key is None:
                raise _unauthorized("invalid_api_key", "Invalid API key")
            if scope is not None and not key.allows(scope):
                raise ApiError(
                    403,
                    "insufficient_scope",
                    f"API key lacks the required scope: {scope}",
                    required_scope=scope,
                )
            g.account = key.account
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def _unauthorized(code: str, message: str) -> ApiError:
    err = ApiError(401, code, message)
    err.headers["WWW-Authenticate"] = 'ApiKey header="X-Api-Key"'
    return err


# ---------------------------------------------------------- small parsers


def is_phone(value: Any) -> bool:
    return isinstance(value, str) and _PHONE.fullmatch(value) is not None


def is_unicode_text(value: str) -> bool:
    """False for strings holding lone surrogates (possible via JSON escapes)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def positive_int(value: Any) -> int | None:
    """A positive integer from a JSON integer or a string of ASCII digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        digits = value.lstrip("0")
        if not digits:
            return None
        # Beyond any id we could hand out; avoid int() on absurd lengths.
        return int(digits) if len(digits) <= 30 else 10**30
    return None


def provided(body: dict[str, Any], name: str) -> Any:
    """The field's value, or None when it is absent, null or the empty string."""
    value = body.get(name)
    return None if value is None or value == "" else value


def query_phone(name: str) -> str | None:
    """A phone from the query string.

    An unencoded ``+`` in a query string means a space, so ``?phone=+2010...``
    arrives as `` 2010...``; that exact shape is read as the ``+`` it was.
    """
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if value.startswith(" ") and _DIGITS.fullmatch(value[1:]):
        return "+" + value[1:]
    return value


def current_page() -> int:
    raw = request.args.get("page")
    if raw is None:
        return 1
    page = positive_int(raw)
    if page is None:
        raise ApiError(400, "invalid_page", "page must be a positive integer")
    return page


def paginated(items: list[Any]) -> ResponseReturnValue:
    page = current_page()
    start = (page - 1) * PAGE_SIZE
    response = jsonify(items[start : start + PAGE_SIZE])
    if start + PAGE_SIZE < len(items):
        response.headers["Link"] = f'<{request.path}?page={page + 1}>; rel="next"'
    return response


def json_object() -> dict[str, Any]:
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Content-Type must be application/json")
    body = request.get_json()
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "Request body must be a JSON object")
    return body


def json_or_multipart() -> tuple[dict[str, Any], dict[str, FileStorage]]:
    if request.is_json:
        return json_object(), {}
    if request.mimetype == "multipart/form-data":
        try:
            form, files = request.form, request.files
        except ValueError as exc:
            raise ApiError(
                400, "invalid_multipart", "Request body is not valid multipart/form-data"
            ) from exc
        return {k: form.get(k) for k in form}, {k: files[k] for k in files}
    raise ApiError(
        415,
        "unsupported_media_type",
        "Content-Type must be application/json or multipart/form-data",
    )


def unprocessable(code: str, message: str, **extra: Any) -> ApiError:
    return ApiError(422, code, message, **extra)


# ------------------------------------------------------------ sender numbers


@bp.get("/sender-numbers")
@require_scope(None)
def list_sender_numbers() -> ResponseReturnValue:
    return paginated(store().list_senders(g.account))


@bp.post("/sender-numbers")
@require_scope("messages.send")
def register_sender_number() -> ResponseReturnValue:
    body = json_object()
    phone = provided(body, "phone")
    if phone is None:
        raise unprocessable("missing_phone_number", "phone is required")
    if not is_phone(phone):
        raise unprocessable("invalid_phone", INVALID_PHONE)
    display_name = provided(body, "display_name")
    if display_name is not None:
        if not isinstance(display_name, str) or not is_unicode_text(display_name):
            raise unprocessable("invalid_display_name", "display_name must be a string")
        if len(display_name) > MAX_DISPLAY_NAME_CHARS:
            raise unprocessable(
                "display_name_too_long",
                f"display_name must be {MAX_DISPLAY_NAME_CHARS} characters or less",
            )
    outcome, view = store().register_sender(g.account, phone, display_name)
    if outcome == "duplicate":
        raise ApiError(
            409, "sender_number_exists", "This phone is already a sender number of your account"
        )
    if outcome == "no_owner":
        raise unprocessable(
            "not_on_tgo_connect",
            "phone has no TGO Connect account to receive the verification OTP",
        )
    return jsonify(view), 201


# ------------------------------------------------------------------ messages


def _sender_fields(body: dict[str, Any]) -> tuple[str | None, int | None]:
    sender_phone = provided(body, "sender_phone")
    raw_id = provided(body, "sender_number_id")
    if sender_phone is None and raw_id is None:
        raise unprocessable("missing_sender", "sender_phone or sender_number_id is required")
    if sender_phone is not None and raw_id is not None:
        raise unprocessable(
            "conflicting_sender", "Provide one of sender_phone or sender_number_id, not both"
        )
    if sender_phone is not None:
        if not is_phone(sender_phone):
            raise unprocessable("invalid_phone", INVALID_PHONE)
        return sender_phone, None
    sender_id = positive_int(raw_id)
    if sender_id is None:
        raise unprocessable(
            "invalid_sender_number_id", "sender_number_id must be a positive integer"
        )
    return None, sender_id


def _text(body: dict[str, Any], *, required: bool) -> str | None:
    content = provided(body, "content")
    if content is None or (isinstance(content, str) and not content.strip()):
        if required:
            raise unprocessable("missing_body", "content is required")
        return None
    if not isinstance(content, str) or not is_unicode_text(content):
        raise unprocessable("invalid_content", "content must be a string of valid Unicode text")
    if len(content) > MAX_CONTENT_CHARS:
        raise unprocessable(
            "content_too_long", f"content must be {MAX_CONTENT_CHARS} characters or less"
        )
    return content


def _media(message_type: str, body: dict[str, Any], files: dict[str, FileStorage]) -> dict:
    upload = files.get("media")
    if upload is None:
        if provided(body, "media") is not None:
            raise unprocessable("invalid_media", "media must be uploaded as a file")
        raise unprocessable("missing_media", "media is required (multipart/form-data file)")
    content_type = upload.mimetype or "application/octet-stream"
    kind = _MEDIA_KINDS.get(message_type)
    if kind and not (
        content_type.startswith(kind[0]) or content_type == "application/octet-stream"
    ):
        raise unprocessable("invalid_media", f"media must be {kind[1]} for {message_type}")
    size = len(upload.read())
    if size == 0:
        raise unprocessable("invalid_media", "media file is empty")
    return {"filename": upload.filename or None, "content_type": content_type, "size": size}


def _duration(message_type: str, body: dict[str, Any]) -> int | None:
    raw = provided(body, "duration")
    if message_type != "voice":
        if raw is not None:
            raise unprocessable("invalid_duration", "duration is only allowed for voice messages")
        return None
    if raw is None:
        raise unprocessable("missing_duration", "duration is required for voice messages")
    seconds = positive_int(raw)
    if seconds is None or not MIN_VOICE_SECONDS <= seconds <= MAX_VOICE_SECONDS:
        raise unprocessable(
            "invalid_duration",
            f"duration must be an integer between {MIN_VOICE_SECONDS} and "
            f"{MAX_VOICE_SECONDS} (seconds)",
        )
    return seconds


@bp.post("/messages")
@require_scope("messages.send")
def send_message() -> ResponseReturnValue:
    body, files = json_or_multipart()
    sender_phone, sender_id = _sender_fields(body)

    to_phone = provided(body, "to_phone")
    if to_phone is None:
        raise unprocessable("missing_to", "to_phone is required")
    if not is_phone(to_phone):
        raise unprocessable("invalid_phone", INVALID_RECIPIENT)

    message_type = provided(body, "type")
    if message_type is None:
        raise unprocessable("missing_type", "type is required")
    if message_type not in MESSAGE_TYPES:
        raise unprocessable("invalid_type", f"type must be one of: {', '.join(MESSAGE_TYPES)}")

    if message_type == "text":
        if "media" in files:
            raise unprocessable("invalid_media", "media is not allowed for text messages")
        content, media = _text(body, required=True), None
    else:
        content, media = _text(body, required=False), _media(message_type, body, files)
    duration = _duration(message_type, body)

    try:
        message = store().send(
            g.account,
            sender_phone=sender_phone,
            sender_id=sender_id,
            to_phone=to_phone,
            message_type=message_type,
            content=content,
            media=media,
            duration=duration,
        )
    except SendRefused as refused:
        raise _send_error(refused) from None
    return jsonify(message), 201


def _send_error(refused: SendRefused) -> ApiError:
    if refused.reason == "sender_not_found":
        return unprocessable("not_found", "Sender number not found")
    if refused.reason == "sender_account_not_verified":
        return unprocessable("account_not_verified", OWNER_NOT_VERIFIED)
    if refused.reason == "sender_not_active":
        return unprocessable("sender_not_active", SENDER_NOT_ACTIVE)
    return unprocessable(
        "recipient_unreachable",
        "The recipient cannot receive messages through TGO Connect",
        reason_code=refused.detail,
    )


@bp.get("/messages")
@require_scope("messages.read")
def list_messages() -> ResponseReturnValue:
    return paginated(store().list_messages(g.account))


# ------------------------------------------------------------ contacts, usage


@bp.get("/contacts/lookup")
@require_scope("contacts.lookup")
def lookup_contact() -> ResponseReturnValue:
    phone = query_phone("phone")
    if phone is None:
        raise ApiError(400, "missing_phone_number", "phone is required")
    if not is_phone(phone):
        raise ApiError(400, "invalid_phone", INVALID_RECIPIENT)

    sender_phone = query_phone("sender_phone")
    raw_id = request.args.get("sender_number_id") or None
    sender_id = None
    if sender_phone is not None and raw_id is not None:
        raise ApiError(
            400, "conflicting_sender", "Provide one of sender_phone or sender_number_id, not both"
        )
    if sender_phone is not None:
        if not is_phone(sender_phone):
            raise ApiError(400, "invalid_phone", INVALID_PHONE)
        sender = store().find_sender(g.account, phone=sender_phone)
    elif raw_id is not None:
        parsed = positive_int(raw_id)
        if parsed is None:
            raise ApiError(
                400, "invalid_sender_number_id", "sender_number_id must be a positive integer"
            )
        sender = store().find_sender(g.account, sender_id=parsed)
    else:
        sender = {}
    if sender is None:
        raise ApiError(400, "not_found", "Sender number not found")
    if sender:
        sender_id = sender["id"]
    return jsonify(store().lookup(g.account, phone, sender_id))


@bp.get("/usage")
@require_scope("usage.read")
def usage() -> ResponseReturnValue:
    return paginated(store().usage(g.account))
