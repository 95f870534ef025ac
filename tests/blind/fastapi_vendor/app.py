"""FastAPI application: the TGO Business API over an in-memory :class:`store.Store`."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import mimetypes
import re
from dataclasses import dataclass
from typing import Annotated, Any

from errors import ApiError, install_error_handlers
from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, Query, Request, Security, status
from fastapi.security import APIKeyHeader
from schemas import (
    ContactLookupOut,
    ErrorOut,
    Links,
    MessageOut,
    MessagePage,
    SenderNumberOut,
    SenderNumberPage,
    UsageOut,
    UsagePage,
)
from starlette.datastructures import FormData, UploadFile
from store import (
    MESSAGE_TYPES,
    ApiKey,
    Media,
    RegistrationError,
    SenderNumber,
    Store,
    is_e164,
)

DEFAULT_PAGE_SIZE = 2
MAX_PAGE_SIZE = 100
MAX_JSON_BODY = 1024 * 1024
MAX_MEDIA_BYTES = 16 * 1024 * 1024
MAX_MULTIPART_BODY = MAX_MEDIA_BYTES + 1024 * 1024
MAX_CONTENT_CHARS = 4096
MAX_DISPLAY_NAME_CHARS = 100
MAX_ID = 2**63 - 1
VOICE_DURATION_RANGE = (1, 300)
DELIVERY_DELAY_SECONDS = 0.1

NOT_ACTIVE_MESSAGE = "The sender number is not active."
# Documented (in Arabic) for a sender whose TGO Connect account is not verified.
ACCOUNT_NOT_VERIFIED_MESSAGE = (
    "يجب أن يكون صاحب الرقم موثقًا داخل TGO Connect قبل استخدام API الإرسال."
)

_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_DIGITS = re.compile(r"[0-9]{1,20}")
_QUERY_PLUS_AS_SPACE = re.compile(r" [1-9][0-9]{1,14}")


def invalid(code: str, message: str) -> ApiError:
    return ApiError(status.HTTP_422_UNPROCESSABLE_CONTENT, code, message)


# --------------------------------------------------------------------------- dependencies


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


api_key_header = APIKeyHeader(name="X-Api-Key", auto_error=False)


def require_scope(scope: str | None) -> Any:
    """Dependency factory: authenticate the X-Api-Key header, then check ``scope``."""

    async def authenticate(
        store: Annotated[Store, Depends(get_store)],
        api_key: Annotated[str | None, Security(api_key_header)],
    ) -> ApiKey:
        if not api_key:
            raise ApiError(401, "missing_api_key", "API key required")
        key = store.authenticate(api_key)
        if key is None:
            raise ApiError(401, "invalid_api_key", "Invalid API key")
        if scope is not None and not key.allows(scope):
            raise ApiError(
                403, "insufficient_scope", f"This API key lacks the required scope: {scope}"
            )
        return key

    return authenticate


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: int | None
    kind: str


def _encode_cursor(kind: str, value: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode().rstrip("=")


def _decode_cursor(kind: str, cursor: str) -> int:
    bad = invalid("invalid_cursor", "cursor is invalid")
    if not cursor.isascii() or len(cursor) > 64:
        raise bad
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError) as exc:
        raise bad from exc
    prefix, _, value = raw.partition(":")
    if prefix != kind or not _DIGITS.fullmatch(value) or not 0 < int(value) <= MAX_ID:
        raise bad
    return int(value)


def pagination(kind: str) -> Any:
    """Dependency factory for ``?limit=`` (1..100, default 2) and ``?cursor=``."""

    async def page_params(
        limit: Annotated[str | None, Query()] = None,
        cursor: Annotated[str | None, Query()] = None,
    ) -> PageParams:
        size = DEFAULT_PAGE_SIZE
        if limit is not None:
            if not _DIGITS.fullmatch(limit) or not 1 <= int(limit) <= MAX_PAGE_SIZE:
                raise invalid(
                    "invalid_limit", f"limit must be an integer between 1 and {MAX_PAGE_SIZE}"
                )
            size = int(limit)
        position = None if cursor is None else _decode_cursor(kind, cursor)
        return PageParams(limit=size, cursor=position, kind=kind)

    return page_params


def links(request: Request, page: PageParams, has_more: bool, last: int | None) -> Links:
    if not has_more or last is None:
        return Links(next=None)
    url = request.url.include_query_params(cursor=_encode_cursor(page.kind, last))
    return Links(next=str(url))


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _is_json(media_type: str) -> bool:
    return media_type in ("", "application/json") or media_type.endswith("+json")


async def _read_json_object(request: Request) -> dict[str, Any]:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and len(declared) < 20 and int(declared) > MAX_JSON_BODY:
        raise ApiError(413, "payload_too_large", "Request body is too large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_JSON_BODY:
            raise ApiError(413, "payload_too_large", "Request body is too large")
        chunks.append(chunk)
    try:
        data = json.loads(b"".join(chunks))
    except (ValueError, RecursionError) as exc:
        raise invalid("invalid_body", "Request body must be valid JSON") from exc
    if not isinstance(data, dict):
        raise invalid("invalid_body", "Request body must be a JSON object")
    return data


async def json_body(request: Request) -> dict[str, Any]:
    if not _is_json(_media_type(request)):
        raise ApiError(415, "unsupported_media_type", "Content-Type must be application/json")
    return await _read_json_object(request)


# --------------------------------------------------------------------------- field checks


def _clean_text(value: str) -> bool:
    return _SURROGATES.search(value) is None


def _phone_from_query(value: str) -> str:
    # An unencoded "+" in a query string decodes to a space ("?phone=+2010..." as in the
    # documentation's curl examples): read " 2010..." as "+2010...".
    return "+" + value[1:] if _QUERY_PLUS_AS_SPACE.fullmatch(value) else value


def _parse_id(value: Any, from_form: bool) -> int | None:
    if from_form:
        return int(value) if isinstance(value, str) and _DIGITS.fullmatch(value) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


@dataclass(frozen=True)
class SendRequest:
    sender_phone: str | None
    sender_number_id: int | None
    to_phone: str
    message_type: str
    content: str | None
    media: Media | None


_IMAGE_TYPES = ("image/",)
_VOICE_TYPES = ("audio/", "video/ogg", "video/webm", "application/ogg")


def _effective_content_type(upload: UploadFile) -> str | None:
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if declared and declared != "application/octet-stream":
        return declared
    guessed, _ = mimetypes.guess_type(upload.filename or "")
    return guessed.lower() if guessed else (declared or None)


def _check_media(message_type: str, upload: Any, duration: int | None) -> Media:
    if not isinstance(upload, UploadFile):
        raise invalid("invalid_media", "media must be a file uploaded as multipart/form-data")
    size = upload.size or 0
    if size == 0:
        raise invalid("invalid_media", "media file is empty")
    if size > MAX_MEDIA_BYTES:
        raise ApiError(413, "media_too_large", "media must be 16 MiB or less")
    content_type = _effective_content_type(upload)
    known = content_type not in (None, "application/octet-stream")
    if known and message_type == "image" and not content_type.startswith(_IMAGE_TYPES):
        raise invalid("invalid_media", "media must be an image file for image messages")
    if known and message_type == "voice" and not content_type.startswith(_VOICE_TYPES):
        raise invalid("invalid_media", "media must be an audio file for voice messages")
    return Media(
        filename=upload.filename or None,
        content_type=content_type,
        size_bytes=size,
        duration=duration,
    )


def validate_send(fields: dict[str, Any], from_form: bool) -> SendRequest:
    """Check a send request's fields (JSON values, or form strings and files)."""

    def given(name: str) -> bool:
        return fields.get(name) is not None

    # Sender: exactly one of sender_phone / sender_number_id.
    if given("sender_phone") and given("sender_number_id"):
        raise invalid(
            "ambiguous_sender", "Provide only one of sender_phone or sender_number_id, not both"
        )
    if not given("sender_phone") and not given("sender_number_id"):
        raise invalid("missing_sender", "sender_phone or sender_number_id is required")
    sender_phone = fields.get("sender_phone")
    sender_number_id = None
    if sender_phone is not None and not is_e164(sender_phone):
        raise invalid("invalid_sender_phone", "Invalid sender_phone E.164 format")
    if given("sender_number_id"):
        sender_number_id = _parse_id(fields["sender_number_id"], from_form)
        if sender_number_id is None or not 0 < sender_number_id <= MAX_ID:
            raise invalid(
                "invalid_sender_number_id", "sender_number_id must be a positive integer id"
            )

    # Recipient.
    to_phone = fields.get("to_phone")
    if to_phone is None:
        raise invalid("missing_to_phone", "to_phone is required")
    if not is_e164(to_phone):
        raise invalid("invalid_phone", "Invalid recipient phone number format")

    # Type.
    message_type = fields.get("type")
    if message_type is None:
        raise invalid("missing_type", "type is required")
    if message_type not in MESSAGE_TYPES:
        raise invalid("invalid_type", "type must be one of: " + ", ".join(MESSAGE_TYPES))

    # Content: required for text, an optional caption for media messages.
    content = fields.get("content")
    if content is not None:
        if not isinstance(content, str) or not _clean_text(content):
            raise invalid("invalid_content", "content must be a string of valid text")
        if len(content) > MAX_CONTENT_CHARS:
            raise invalid(
                "content_too_long", f"content must be {MAX_CONTENT_CHARS} characters or less"
            )
        if not content.strip():
            content = None
    if message_type == "text":
        if content is None:
            raise invalid("missing_content", "content is required")
        if given("media"):
            raise invalid(
                "invalid_media", "media is only allowed for image, voice and document messages"
            )
        return SendRequest(sender_phone, sender_number_id, to_phone, "text", content, None)

    # Media messages.
    if not given("media"):
        raise invalid(
            "missing_media",
            "media is required: upload the file as multipart/form-data in the media field",
        )
    duration = None
    if message_type == "voice":
        if not given("duration"):
            raise invalid("missing_duration", "duration is required for voice messages")
        duration = _parse_id(fields["duration"], from_form)
        low, high = VOICE_DURATION_RANGE
        if duration is None or not low <= duration <= high:
            raise invalid(
                "invalid_duration",
                f"duration must be an integer number of seconds between {low} and {high}",
            )
    media = _check_media(message_type, fields["media"], duration)
    return SendRequest(sender_phone, sender_number_id, to_phone, message_type, content, media)


_FORM_FIELDS = ("sender_phone", "sender_number_id", "to_phone", "type", "content", "duration")


def _form_fields(form: FormData) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in (*_FORM_FIELDS, "media"):
        values = form.getlist(name)
        if len(values) > 1:
            raise invalid(f"invalid_{name}", f"{name} must be given only once")
        if not values:
            continue
        value = values[0]
        if name != "media" and not isinstance(value, str):
            raise invalid(f"invalid_{name}", f"{name} must be a text field, not a file")
        fields[name] = value
    return fields


async def send_request(request: Request) -> SendRequest:
    """Dependency: parse a send request sent as JSON or as a form.

    Media files need multipart/form-data; a URL-encoded form can only carry a text message.
    """
    media_type = _media_type(request)
    if _is_json(media_type):
        return validate_send(await _read_json_object(request), from_form=False)
    if media_type not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise ApiError(
            415,
            "unsupported_media_type",
            "Content-Type must be application/json or multipart/form-data",
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and len(declared) < 20 and int(declared) > MAX_MULTIPART_BODY:
        raise ApiError(413, "media_too_large", "media must be 16 MiB or less")
    try:
        form = await request.form(max_files=4, max_fields=32)
    except Exception as exc:  # any parse failure of a broken multipart body
        raise invalid("invalid_body", "Request body is not a valid form") from exc
    try:
        return validate_send(_form_fields(form), from_form=True)
    finally:
        await form.close()


# --------------------------------------------------------------------------- routes

router = APIRouter(
    prefix="/api/v1",
    responses={
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        422: {"model": ErrorOut},
    },
)


@router.post(
    "/sender-numbers",
    status_code=status.HTTP_201_CREATED,
    response_model=SenderNumberOut,
)
async def register_sender_number(
    key: Annotated[ApiKey, Depends(require_scope("messages.send"))],
    body: Annotated[dict[str, Any], Depends(json_body)],
    store: Annotated[Store, Depends(get_store)],
) -> SenderNumberOut:
    phone = body.get("phone")
    if phone is None:
        raise invalid("missing_phone", "phone is required")
    if not is_e164(phone):
        raise invalid("invalid_phone", "Invalid E.164 phone number format")
    display_name = body.get("display_name")
    if display_name is not None:
        if (
            not isinstance(display_name, str)
            or not _clean_text(display_name)
            or _CONTROL_CHARS.search(display_name)
        ):
            raise invalid("invalid_display_name", "display_name must be a single line of text")
        display_name = display_name.strip() or None
        if display_name is not None and len(display_name) > MAX_DISPLAY_NAME_CHARS:
            raise invalid(
                "display_name_too_long",
                f"display_name must be {MAX_DISPLAY_NAME_CHARS} characters or less",
            )
    try:
        sender = store.register_sender(key.account, phone, display_name)
    except RegistrationError as exc:
        if exc.code == "sender_number_exists":
            raise invalid(
                exc.code, "This phone number is already registered as a sender number"
            ) from exc
        raise invalid(exc.code, "The phone number has no TGO Connect account") from exc
    return SenderNumberOut.of(sender)


@router.get("/sender-numbers", response_model=SenderNumberPage)
async def list_sender_numbers(
    request: Request,
    key: Annotated[ApiKey, Depends(require_scope(None))],
    page: Annotated[PageParams, Depends(pagination("sender_numbers"))],
    store: Annotated[Store, Depends(get_store)],
) -> SenderNumberPage:
    items, has_more = store.list_senders(key.account, page.cursor, page.limit)
    return SenderNumberPage(
        data=[SenderNumberOut.of(s) for s in items],
        links=links(request, page, has_more, items[-1].id if items else None),
    )


async def deliver_later(store: Store, message_id: str) -> None:
    await asyncio.sleep(DELIVERY_DELAY_SECONDS)
    store.deliver(message_id)


@router.post(
    "/messages",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=MessageOut,
    responses={413: {"model": ErrorOut}, 415: {"model": ErrorOut}},
)
async def send_message(
    key: Annotated[ApiKey, Depends(require_scope("messages.send"))],
    send: Annotated[SendRequest, Depends(send_request)],
    store: Annotated[Store, Depends(get_store)],
    background: BackgroundTasks,
) -> MessageOut:
    sender: SenderNumber | None = store.find_sender(
        key.account, phone=send.sender_phone, sender_id=send.sender_number_id
    )
    if sender is None:
        raise invalid("sender_not_found", "Sender number not found")
    if sender.status != "active":
        raise invalid("sender_not_active", NOT_ACTIVE_MESSAGE)
    if sender.verification_status != "verified":
        raise invalid("sender_account_not_verified", ACCOUNT_NOT_VERIFIED_MESSAGE)
    message = store.queue_message(
        key.account, sender, send.to_phone, send.message_type, send.content, send.media
    )
    background.add_task(deliver_later, store, message.id)
    return MessageOut.of(message)


@router.get("/messages", response_model=MessagePage)
async def list_messages(
    request: Request,
    key: Annotated[ApiKey, Depends(require_scope("messages.read"))],
    page: Annotated[PageParams, Depends(pagination("messages"))],
    store: Annotated[Store, Depends(get_store)],
) -> MessagePage:
    items, has_more = store.list_messages(key.account, page.cursor, page.limit)
    return MessagePage(
        data=[MessageOut.of(m) for m in items],
        links=links(request, page, has_more, items[-1].seq if items else None),
    )


@router.get("/contacts/lookup", response_model=ContactLookupOut)
async def lookup_contact(
    key: Annotated[ApiKey, Depends(require_scope("contacts.lookup"))],
    store: Annotated[Store, Depends(get_store)],
    phone: Annotated[str | None, Query()] = None,
    sender_phone: Annotated[str | None, Query()] = None,
) -> ContactLookupOut:
    if phone is None:
        raise invalid("missing_phone", "phone is required")
    phone = _phone_from_query(phone)
    if not is_e164(phone):
        raise invalid("invalid_phone", "Invalid E.164 phone number format")
    if sender_phone is not None:
        sender_phone = _phone_from_query(sender_phone)
        if not is_e164(sender_phone):
            raise invalid("invalid_sender_phone", "Invalid sender_phone E.164 format")
        if store.find_sender(key.account, phone=sender_phone) is None:
            raise invalid("sender_not_found", "Sender number not found")
    return ContactLookupOut.of(phone, store.contact(phone), store.reachability(phone))


@router.get("/usage", response_model=UsagePage)
async def usage(
    request: Request,
    key: Annotated[ApiKey, Depends(require_scope("usage.read"))],
    page: Annotated[PageParams, Depends(pagination("usage"))],
    store: Annotated[Store, Depends(get_store)],
) -> UsagePage:
    rows, has_more = store.usage(key.account, page.cursor, page.limit)
    data = [
        UsageOut(
            sender_number_id=sender.id,
            phone=sender.phone,
            display_name=sender.display_name,
            total=sum(by_type.values()),
            by_status=by_status,
            by_type=by_type,
        )
        for sender, by_status, by_type in rows
    ]
    return UsagePage(
        data=data, links=links(request, page, has_more, rows[-1][0].id if rows else None)
    )


def create_app(store: Store) -> FastAPI:
    app = FastAPI(
        title="TGO Business API",
        version="1.0",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.store = store
    install_error_handlers(app)
    app.include_router(router)
    return app
