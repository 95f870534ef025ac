"""Response models of the API (they also document it in the OpenAPI schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, PlainSerializer
from store import Contact, Message, SenderNumber

# ISO 8601 with microseconds and an explicit +00:00 offset (all datetimes are aware UTC).
Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda value: value.isoformat(timespec="microseconds"), return_type=str),
]

MessageType = Literal["text", "image", "voice", "document"]
MessageStatus = Literal["queued", "delivered", "failed"]


class ErrorOut(BaseModel):
    error: str
    code: str
    message: str


class Links(BaseModel):
    next: str | None


class SenderNumberOut(BaseModel):
    id: int
    phone: str
    display_name: str | None
    status: Literal["pending_verification", "active", "rejected", "suspended"]
    verification_status: Literal[
        "pending_verification", "pending_account_verification", "verified", "rejected"
    ]
    can_send: bool
    created_at: Timestamp

    @classmethod
    def of(cls, sender: SenderNumber) -> SenderNumberOut:
        return cls(
            id=sender.id,
            phone=sender.phone,
            display_name=sender.display_name,
            status=sender.status,  # type: ignore[arg-type]
            verification_status=sender.verification_status,  # type: ignore[arg-type]
            can_send=sender.can_send,
            created_at=sender.created_at,
        )


class SenderNumberPage(BaseModel):
    data: list[SenderNumberOut]
    links: Links


class MediaOut(BaseModel):
    filename: str | None
    content_type: str | None
    size_bytes: int
    duration: int | None


class MessageOut(BaseModel):
    id: str
    sender_number_id: int
    sender_phone: str
    to_phone: str
    message_type: MessageType
    content: str | None
    media: MediaOut | None
    status: MessageStatus
    failure_reason: str | None
    sent_at: Timestamp
    delivered_at: Timestamp | None

    @classmethod
    def of(cls, message: Message) -> MessageOut:
        media = message.media
        return cls(
            id=message.id,
            sender_number_id=message.sender.id,
            sender_phone=message.sender.phone,
            to_phone=message.to_phone,
            message_type=message.message_type,  # type: ignore[arg-type]
            content=message.content,
            media=None
            if media is None
            else MediaOut(
                filename=media.filename,
                content_type=media.content_type,
                size_bytes=media.size_bytes,
                duration=media.duration,
            ),
            status=message.status,  # type: ignore[arg-type]
            failure_reason=message.failure_reason,
            sent_at=message.sent_at,
            delivered_at=message.delivered_at,
        )


class MessagePage(BaseModel):
    data: list[MessageOut]
    links: Links


class ContactLookupOut(BaseModel):
    phone: str
    exists: bool
    can_receive: bool
    reason_code: str
    recipient_id: int | None
    is_verified: bool
    phone_verified_at: Timestamp | None

    @classmethod
    def of(cls, phone: str, contact: Contact | None, reason_code: str) -> ContactLookupOut:
        return cls(
            phone=phone,
            exists=contact is not None,
            can_receive=reason_code == "ok",
            reason_code=reason_code,
            recipient_id=None if contact is None else contact.id,
            is_verified=False if contact is None else contact.account_verified,
            phone_verified_at=None if contact is None else contact.phone_verified_at,
        )


class UsageOut(BaseModel):
    sender_number_id: int
    phone: str
    display_name: str | None
    total: int
    by_status: dict[MessageStatus, int]
    by_type: dict[MessageType, int]


class UsagePage(BaseModel):
    data: list[UsageOut]
    links: Links
