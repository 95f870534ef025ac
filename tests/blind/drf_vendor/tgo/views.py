"""The six operations. Everything is scoped to the account that owns the API key."""

from __future__ import annotations

from typing import ClassVar

from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from rest_framework import status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from .errors import OWNER_NOT_VERIFIED, SENDER_NOT_ACTIVE, ApiError, bad_request
from .serializers import (
    ContactLookupSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    SenderNumberCreateSerializer,
    SenderNumberSerializer,
    UsageSerializer,
)
from .state import get_store


def body_as_dict(request) -> dict:
    """request.data as a plain dict (last value wins for repeated form fields)."""
    data = request.data
    if isinstance(data, QueryDict):
        return {key: data.get(key) for key in data}
    if not isinstance(data, dict):
        raise bad_request("invalid_request", "Request body must be a JSON object")
    return data


def query_as_dict(request) -> dict:
    """Query parameters; a phone whose '+' was decoded to a space (unencoded, as in the
    documented curl examples) gets its '+' back."""
    out = {}
    for key in request.query_params:
        value = request.query_params.get(key)
        rest = value[1:]
        if value.startswith(" ") and rest.isascii() and rest.isdigit():
            value = "+" + rest
        out[key] = value
    return out


class ScopedViewMixin:
    """`scopes` maps a viewset action (or HTTP method, lower case) to its required scope."""

    scopes: ClassVar[dict[str, str | None]] = {}

    def required_scope(self, request):
        method = request.method.lower()
        action = getattr(self, "action", None) or ("get" if method == "head" else method)
        return self.scopes.get(action)


class AccountListMixin:
    """GET list: the account's rows, paginated by DEFAULT_PAGINATION_CLASS."""

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class SenderNumberViewSet(ScopedViewMixin, AccountListMixin, viewsets.GenericViewSet):
    # Listing needs only a valid key of the account (the docs name no scope for it).
    scopes: ClassVar[dict[str, str | None]] = {"create": "messages.send", "list": None}
    serializer_class = SenderNumberSerializer

    def get_queryset(self):
        return get_store().senders_of(self.request.user.name)

    def create(self, request):
        serializer = SenderNumberCreateSerializer(data=body_as_dict(request))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        number = get_store().register_sender(
            request.user.name, data["phone"], data.get("display_name")
        )
        if number is None:
            raise ApiError(
                status.HTTP_409_CONFLICT,
                "sender_number_exists",
                "Sender number already registered",
            )
        return Response(self.get_serializer(number).data, status=status.HTTP_201_CREATED)


class MessageViewSet(ScopedViewMixin, AccountListMixin, viewsets.GenericViewSet):
    scopes: ClassVar[dict[str, str | None]] = {"create": "messages.send", "list": "messages.read"}
    serializer_class = MessageSerializer

    def get_queryset(self):
        return get_store().messages_of(self.request.user.name)

    def create(self, request):
        data = body_as_dict(request)
        media_sent = data.get("media") not in (None, "")
        media = request.FILES.get("media") if isinstance(request.data, QueryDict) else None
        if not isinstance(media, UploadedFile):
            media = None
        serializer = MessageCreateSerializer(
            data=data, context={"media": media, "media_sent": media_sent}
        )
        serializer.is_valid(raise_exception=True)
        v = serializer.validated_data
        account = request.user.name
        store = get_store()
        with store.lock:
            if v.get("sender_number_id") is not None:
                sender = store.sender_by_id(account, v["sender_number_id"])
            else:
                sender = store.sender_by_phone(account, v["sender_phone"])
            if sender is None:
                raise bad_request("not_found", "Sender number not found")
            if sender.state == "pending_account_verification":
                raise bad_request("account_not_verified", OWNER_NOT_VERIFIED)
            if sender.state != "active":
                raise bad_request("sender_not_active", SENDER_NOT_ACTIVE)
            _, reason = store.reachability(v["to_phone"])
            if reason != "ok":
                raise bad_request(
                    "recipient_unreachable",
                    f"Recipient cannot receive messages (reason_code: {reason})",
                )
            message = store.add_message(
                account=account,
                sender_number_id=sender.id,
                sender_phone=sender.phone,
                to_phone=v["to_phone"],
                message_type=v["type"],
                content=v.get("content"),
                duration=v.get("duration"),
                media=None
                if media is None
                else {
                    "filename": media.name,
                    "content_type": media.content_type,
                    "size": media.size,
                },
            )
        return Response(self.get_serializer(message).data, status=status.HTTP_201_CREATED)


class ContactLookupView(ScopedViewMixin, APIView):
    scopes: ClassVar[dict[str, str | None]] = {"get": "contacts.lookup"}

    def get(self, request):
        serializer = ContactLookupSerializer(data=query_as_dict(request))
        serializer.is_valid(raise_exception=True)
        v = serializer.validated_data
        store = get_store()
        sender_phone = v.get("sender_phone")
        if (
            sender_phone is not None
            and store.sender_by_phone(request.user.name, sender_phone) is None
        ):
            raise bad_request("not_found", "Sender number not found")
        contact, reason = store.reachability(v["phone"])
        verified_at = None
        if contact is not None and contact.phone_verified:
            verified_at = store.started_at.isoformat().replace("+00:00", "Z")
        return Response(
            {
                "exists": contact is not None,
                "can_receive": reason == "ok",
                "reason_code": reason,
                "recipient_id": contact.recipient_id if contact else None,
                "is_verified": bool(contact and contact.account_verified),
                "phone_verified_at": verified_at,
            }
        )


class UsageViewSet(ScopedViewMixin, AccountListMixin, viewsets.GenericViewSet):
    scopes: ClassVar[dict[str, str | None]] = {"list": "usage.read"}
    serializer_class = UsageSerializer

    def get_queryset(self):
        return get_store().usage_of(self.request.user.name)
