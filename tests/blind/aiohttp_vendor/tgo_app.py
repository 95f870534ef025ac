"""aiohttp application for the TGO Business API (sender numbers, messages, lookup, usage)."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import secrets
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, web
from tgo_store import (
    MESSAGE_TYPES,
    SCOPE_LOOKUP,
    SCOPE_READ,
    SCOPE_SEND,
    SCOPE_USAGE,
    STATE_PENDING_ACCOUNT,
    STATE_PENDING_OTP,
    Account,
    ApiKey,
    Contact,
    MediaInfo,
    SenderNumber,
    Store,
    is_e164,
    iso,
)

log = logging.getLogger("tgo.api")

STORE = web.AppKey("store", Store)

# Limits (see CHOICES.md).
MAX_JSON_BYTES = 1024 * 1024
MAX_MEDIA_BYTES = 16 * 1024 * 1024
MAX_FIELD_BYTES = 64 * 1024
MAX_PARTS = 32
MAX_CONTENT_CHARS = 1600
MAX_DISPLAY_NAME_CHARS = 255
MIN_DURATION, MAX_DURATION = 1, 300

NOT_ACTIVE_MESSAGE = "The sender number is not active."
ACCOUNT_NOT_VERIFIED_MESSAGE = (
    "يجب أن يكون صاحب الرقم موثقًا داخل TGO Connect قبل استخدام API الإرسال."
)

IMAGE_CONTENT_TYPES = frozenset({"image/jpeg", "image/jpg", "image/png", "image/gif", "image/webp"})
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp"})
VOICE_EXTENSIONS = frozenset(
    {".ogg", ".oga", ".opus", ".mp3", ".m4a", ".aac", ".amr", ".wav", ".webm"}
)
DIGITS = re.compile(r"[0-9]{1,30}")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


# --- errors and responses ---------------------------------------------------------------------


class ApiError(Exception):
    """An error answered as ``{"error", "message", "code", "request_id", ...}``."""

    def __init__(self, http_status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = http_status
        self.code = code
        self.message = message
        self.extra = extra


def invalid(code: str, message: str, field: str) -> ApiError:
    return ApiError(422, code, message, field=field)


def _dumps(obj: Any) -> str:
    text = json.dumps(obj, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a stray surrogate: fall back to \u escapes
        text = json.dumps(obj)
    return text


def json_response(request: web.Request, payload: dict[str, Any], status: int = 200) -> web.Response:
    body = {**payload, "request_id": request["request_id"]}
    return web.json_response(body, status=status, dumps=_dumps)


def error_response(request: web.Request, err: ApiError) -> web.Response:
    payload = {"error": err.message, "message": err.message, "code": err.code, **err.extra}
    return json_response(request, payload, status=err.status)


_HTTP_ERROR_CODES = {
    400: ("bad_request", "Bad request"),
    404: ("not_found", "Resource not found"),
    405: ("method_not_allowed", "Method not allowed"),
    413: ("payload_too_large", "Request body is too large"),
}


@web.middleware
async def envelope_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give every request an id and turn every failure into the documented JSON error shape."""
    request["request_id"] = "req_" + secrets.token_hex(12)
    try:
        response = await handler(request)
    except ApiError as err:
        response = error_response(request, err)
    except web.HTTPException as exc:
        code, message = _HTTP_ERROR_CODES.get(
            exc.status, (exc.reason.lower().replace(" ", "_"), exc.reason)
        )
        response = error_response(request, ApiError(exc.status, code, message))
        if exc.status == 405 and "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        response = error_response(request, ApiError(500, "internal_error", "Internal error"))
    response.headers["X-Request-Id"] = request["request_id"]
    return response


# --- authentication ---------------------------------------------------------------------------


def authenticate(request: web.Request) -> ApiKey:
    values = request.headers.getall("X-Api-Key", [])
    if not values or not any(v.strip() for v in values):
        raise ApiError(401, "missing_api_key", "API key required")
    key = request.app[STORE].key_for(values[0]) if len(values) == 1 else None
    if key is None:
        raise ApiError(401, "invalid_api_key", "Invalid API key")
    return key


def requires(*scopes: str) -> Callable[[Handler], Handler]:
    """Authenticate the request and demand any one of ``scopes`` (``*`` always passes)."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            key = authenticate(request)
            if not key.allows(*scopes):
                raise ApiError(
                    403,
                    "insufficient_scope",
                    f"API key lacks the required scope for this operation: {' or '.join(scopes)}",
                    required_scopes=list(scopes),
                )
            request["account"] = request.app[STORE].accounts[key.account]
            return await handler(request)

        return wrapper

    return decorate


def account_of(request: web.Request) -> Account:
    return request["account"]


# --- request parsing --------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    filename: str | None
    content_type: str | None
    info: MediaInfo


@dataclass(frozen=True)
class Payload:
    fields: dict[str, Any]
    media: Upload | None = None


async def read_payload(request: web.Request, *, accept_multipart: bool) -> Payload:
    raw_type = request.headers.get("Content-Type")
    mime = request.content_type.lower() if raw_type else "application/json"
    if mime == "application/json" or (mime.startswith("application/") and mime.endswith("+json")):
        return Payload(await read_json_object(request))
    if accept_multipart and mime == "multipart/form-data":
        return await read_multipart(request)
    accepted = "application/json" + (" or multipart/form-data" if accept_multipart else "")
    raise ApiError(415, "unsupported_media_type", f"Content-Type must be {accepted}")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


async def read_json_object(request: web.Request) -> dict[str, Any]:
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise ApiError(413, "payload_too_large", "Request body is too large")
    body = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > MAX_JSON_BYTES:
            raise ApiError(413, "payload_too_large", "Request body is too large")
    try:
        data = json.loads(bytes(body).decode("utf-8-sig"), parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, "invalid_json", "Request body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise ApiError(422, "invalid_body", "Request body must be a JSON object")
    return data


async def read_multipart(request: web.Request) -> Payload:
    fields: dict[str, Any] = {}
    media: Upload | None = None
    try:
        reader = await request.multipart()
        for _ in range(MAX_PARTS + 1):
            part = await reader.next()
            if part is None:
                return Payload(fields, media)
            if not isinstance(part, BodyPartReader) or not part.name:
                raise ApiError(400, "invalid_multipart", "Every part must be a named form field")
            if part.name == "media":
                upload = await read_upload(part)
                media = media or upload
            else:
                value = await read_text_part(part)
                fields.setdefault(part.name, value)
        raise ApiError(400, "invalid_multipart", f"At most {MAX_PARTS} form fields are allowed")
    except ApiError:
        raise
    except Exception as exc:  # any malformed multipart body
        raise ApiError(400, "invalid_multipart", "Malformed multipart/form-data body") from exc


async def read_text_part(part: BodyPartReader) -> str:
    data = bytearray()
    while chunk := await part.read_chunk(16 * 1024):
        data += chunk
        if len(data) > MAX_FIELD_BYTES:
            raise ApiError(413, "field_too_large", f"Form field {part.name} is too large")
    try:
        return bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid("invalid_encoding", f"{part.name} must be UTF-8 text", part.name) from exc


async def read_upload(part: BodyPartReader) -> Upload:
    digest = hashlib.sha256()
    size = 0
    while chunk := await part.read_chunk(64 * 1024):
        size += len(chunk)
        if size > MAX_MEDIA_BYTES:
            limit_mb = MAX_MEDIA_BYTES // (1024 * 1024)
            raise ApiError(413, "media_too_large", f"media must be {limit_mb} MB or smaller")
        digest.update(chunk)
    raw_type = part.headers.get("Content-Type", "")
    content_type = raw_type.split(";", 1)[0].strip().lower() or None
    filename = clean_filename(part.filename)
    info = MediaInfo(filename, content_type, size, digest.hexdigest())
    return Upload(filename, content_type, info)


def clean_filename(name: str | None) -> str | None:
    if not name:
        return None
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch) not in {"Cc", "Cs"})
    return base.strip()[:255] or None


def query_params(request: web.Request) -> dict[str, str]:
    """Query parameters, first value wins. A literal ``+`` stays a plus sign (see CHOICES.md)."""
    raw = request.rel_url.raw_query_string.replace("+", "%2B")
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, errors="replace", max_num_fields=100)
    except ValueError as exc:
        raise ApiError(400, "bad_request", "Too many query parameters") from exc
    params: dict[str, str] = {}
    for name, value in pairs:
        params.setdefault(name, value)
    return params


# --- field validation -------------------------------------------------------------------------


def provided(fields: dict[str, Any], name: str) -> Any:
    """The field's value, or None when absent, null, or a blank string."""
    value = fields.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def bad_text(value: str, *, multiline: bool) -> bool:
    allowed = "\n\r\t" if multiline else ""
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cs" or (category == "Cc" and ch not in allowed):
            return True
    return False


def phone_field(value: Any, field: str, message: str = "Invalid E.164 phone number format") -> str:
    if not is_e164(value):
        raise invalid("invalid_phone", message, field)
    return value


def sender_id_field(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    if isinstance(value, str) and DIGITS.fullmatch(value) and int(value) >= 1:
        return int(value)
    raise invalid(
        "invalid_sender_number_id",
        "sender_number_id must be a positive integer",
        "sender_number_id",
    )


def sender_reference(fields: dict[str, Any]) -> tuple[str | None, int | None]:
    """Validate the optional ``sender_phone`` / ``sender_number_id`` pair (at most one)."""
    phone = provided(fields, "sender_phone")
    sender_id = provided(fields, "sender_number_id")
    if phone is not None and sender_id is not None:
        raise invalid(
            "sender_conflict",
            "Provide only one of sender_phone or sender_number_id, not both",
            "sender_phone",
        )
    if phone is not None:
        return phone_field(phone, "sender_phone"), None
    if sender_id is not None:
        return None, sender_id_field(sender_id)
    return None, None


def resolve_sender(account: Account, phone: str | None, sender_id: int | None) -> SenderNumber:
    if phone is not None:
        sender = account.sender_by_phone(phone)
    else:
        sender = account.sender_by_id(sender_id) if sender_id is not None else None
    if sender is None:
        raise ApiError(404, "not_found", "Sender number not found")
    return sender


def sender_problem(sender: SenderNumber) -> str | None:
    """Why this sender cannot send right now, as a reason code (None: it can send)."""
    if sender.can_send:
        return None
    if sender.state == STATE_PENDING_ACCOUNT:
        return "sender_account_not_verified"
    return "sender_not_active"


def recipient_problem(contact: Contact | None) -> str | None:
    if contact is None:
        return "no_tgo_connect_account"
    if not contact.phone_verified:
        return "phone_not_verified"
    return None


def raise_for_sender(sender: SenderNumber) -> None:
    problem = sender_problem(sender)
    if problem is None:
        return
    shown = sender.to_api()
    message = (
        ACCOUNT_NOT_VERIFIED_MESSAGE
        if problem == "sender_account_not_verified"
        else NOT_ACTIVE_MESSAGE
    )
    raise ApiError(
        422,
        problem,
        message,
        sender_number_id=sender.id,
        status=shown["status"],
        verification_status=shown["verification_status"],
    )


RECIPIENT_MESSAGES = {
    "no_tgo_connect_account": "The recipient does not have a TGO Connect account.",
    "phone_not_verified": "The recipient has not verified their phone number in TGO Connect.",
}


# --- handlers ---------------------------------------------------------------------------------

routes = web.RouteTableDef()


@routes.get("/api/v1/sender-numbers")
@requires(SCOPE_SEND, SCOPE_READ)
async def list_sender_numbers(request: web.Request) -> web.Response:
    senders = [s.to_api() for s in reversed(account_of(request).senders)]
    return json_response(request, {"sender_numbers": senders})


@routes.post("/api/v1/sender-numbers")
@requires(SCOPE_SEND)
async def register_sender_number(request: web.Request) -> web.Response:
    fields = (await read_payload(request, accept_multipart=False)).fields
    phone = provided(fields, "phone")
    if phone is None:
        raise invalid("missing_phone_number", "phone is required", "phone")
    phone_field(phone, "phone")
    display_name = provided(fields, "display_name")
    if display_name is not None:
        if not isinstance(display_name, str) or bad_text(display_name, multiline=False):
            raise invalid(
                "invalid_display_name", "display_name must be a single-line string", "display_name"
            )
        if len(display_name) > MAX_DISPLAY_NAME_CHARS:
            raise invalid(
                "name_too_long",
                f"display_name must be {MAX_DISPLAY_NAME_CHARS} characters or less",
                "display_name",
            )

    store = request.app[STORE]
    account = account_of(request)
    if phone not in store.directory:
        raise invalid(
            "phone_not_on_tgo_connect",
            "No TGO Connect account owns this phone number, so no OTP can be delivered",
            "phone",
        )
    existing = account.sender_by_phone(phone)
    if existing is not None:
        raise ApiError(
            409,
            "already_registered",
            "This phone number is already registered as a sender number",
            sender_number_id=existing.id,
        )
    sender = store.add_sender(account, phone, display_name, STATE_PENDING_OTP)
    return json_response(request, sender.to_api(), status=201)


@routes.post("/api/v1/messages")
@requires(SCOPE_SEND)
async def send_message(request: web.Request) -> web.Response:
    payload = await read_payload(request, accept_multipart=True)
    fields = payload.fields

    sender_phone, sender_id = sender_reference(fields)
    if sender_phone is None and sender_id is None:
        raise invalid(
            "missing_sender", "sender_phone or sender_number_id is required", "sender_phone"
        )
    to_phone = provided(fields, "to_phone")
    if to_phone is None:
        raise invalid("missing_to", "to_phone is required", "to_phone")
    phone_field(to_phone, "to_phone", "Invalid recipient phone number format")
    message_type = provided(fields, "type")
    if message_type is None:
        raise invalid("missing_type", "type is required", "type")
    if message_type not in MESSAGE_TYPES:
        raise invalid("invalid_type", f"type must be one of: {', '.join(MESSAGE_TYPES)}", "type")

    content = validate_content(provided(fields, "content"), message_type)
    duration = validate_duration(provided(fields, "duration"), message_type)
    media = validate_media(payload.media, message_type)

    store = request.app[STORE]
    account = account_of(request)
    sender = resolve_sender(account, sender_phone, sender_id)
    raise_for_sender(sender)
    problem = recipient_problem(store.directory.get(to_phone))
    if problem is not None:
        raise ApiError(
            422, "recipient_unreachable", RECIPIENT_MESSAGES[problem], reason_code=problem
        )

    message = store.add_message(
        account,
        sender,
        to_phone=to_phone,
        message_type=message_type,
        content=content,
        media=None if media is None else media.info,
        duration=duration,
    )
    return json_response(request, message.to_api(), status=201)


def validate_content(content: Any, message_type: str) -> str | None:
    if content is None:
        if message_type == "text":
            raise invalid("missing_body", "content is required", "content")
        return None
    if not isinstance(content, str) or bad_text(content, multiline=True):
        raise invalid("invalid_content", "content must be a text string", "content")
    if len(content) > MAX_CONTENT_CHARS:
        raise invalid(
            "message_too_long", f"content must be {MAX_CONTENT_CHARS} characters or less", "content"
        )
    return content


def validate_duration(duration: Any, message_type: str) -> int | None:
    if message_type != "voice":
        if duration is not None:
            raise invalid(
                "duration_not_allowed", "duration is only allowed for voice messages", "duration"
            )
        return None
    if duration is None:
        raise invalid("missing_duration", "duration is required for voice messages", "duration")
    value: int | None = None
    if isinstance(duration, int) and not isinstance(duration, bool):
        value = duration
    elif isinstance(duration, str) and DIGITS.fullmatch(duration):
        value = int(duration)
    if value is None or not MIN_DURATION <= value <= MAX_DURATION:
        raise invalid(
            "invalid_duration",
            f"duration must be a whole number of seconds between {MIN_DURATION} and {MAX_DURATION}",
            "duration",
        )
    return value


def validate_media(media: Upload | None, message_type: str) -> Upload | None:
    if message_type == "text":
        if media is not None:
            raise invalid("media_not_allowed", "media is not allowed for text messages", "media")
        return None
    if media is None:
        raise invalid(
            "missing_media", f"media file is required for {message_type} messages", "media"
        )
    if media.info.size == 0:
        raise invalid("empty_media", "media file is empty", "media")
    if not media_matches(media, message_type):
        raise invalid(
            "invalid_media_type", f"media is not a supported {message_type} file", "media"
        )
    return media


def media_matches(media: Upload, message_type: str) -> bool:
    if message_type == "document":
        return True
    declared = media.content_type or "application/octet-stream"
    dot = (media.filename or "").rfind(".")
    extension = (media.filename or "")[dot:].lower() if dot >= 0 else ""
    if message_type == "image":
        by_type, by_extension = declared in IMAGE_CONTENT_TYPES, extension in IMAGE_EXTENSIONS
    else:
        by_type = declared.startswith("audio/") or declared == "application/ogg"
        by_extension = extension in VOICE_EXTENSIONS
    return by_type or (declared == "application/octet-stream" and by_extension)


@routes.get("/api/v1/messages")
@requires(SCOPE_READ)
async def list_messages(request: web.Request) -> web.Response:
    messages = [m.to_api() for m in reversed(account_of(request).messages)]
    return json_response(request, {"messages": messages})


@routes.get("/api/v1/contacts/lookup")
@requires(SCOPE_LOOKUP)
async def lookup_contact(request: web.Request) -> web.Response:
    params = query_params(request)
    phone = provided(params, "phone")
    if phone is None:
        raise invalid("missing_phone_number", "phone is required", "phone")
    phone_field(phone, "phone")
    sender_phone, sender_id = sender_reference(params)
    sender = None
    if sender_phone is not None or sender_id is not None:
        sender = resolve_sender(account_of(request), sender_phone, sender_id)

    contact = request.app[STORE].directory.get(phone)
    reason = (sender_problem(sender) if sender else None) or recipient_problem(contact) or "ok"
    result = {
        "phone": phone,
        "exists": contact is not None,
        "can_receive": reason == "ok",
        "reason_code": reason,
        "recipient_id": contact.recipient_id if contact else None,
        "is_verified": bool(contact and contact.account_verified),
        "phone_verified_at": iso(contact.phone_verified_at) if contact else None,
    }
    return json_response(request, result)


@routes.get("/api/v1/usage")
@requires(SCOPE_USAGE)
async def usage(request: web.Request) -> web.Response:
    account = account_of(request)
    rows: dict[int, dict[str, Any]] = {}
    for sender in reversed(account.senders):
        rows[sender.id] = {
            "sender_number_id": sender.id,
            "phone": sender.phone,
            "display_name": sender.display_name,
            "message_count": 0,
            "by_type": dict.fromkeys(MESSAGE_TYPES, 0),
            "last_sent_at": None,
        }
    for message in account.messages:
        row = rows[message.sender_number_id]
        row["message_count"] += 1
        row["by_type"][message.message_type] += 1
        row["last_sent_at"] = iso(message.sent_at)
    return json_response(request, {"usage": list(rows.values())})


def create_app(store: Store) -> web.Application:
    app = web.Application(middlewares=[envelope_middleware], client_max_size=MAX_JSON_BYTES)
    app[STORE] = store
    app.add_routes(routes)
    return app
