"""Requests per operation that the suite's tests share: ones a conforming server accepts, and
ones it must refuse before acting (so they can be sent to any target, writes allowed or not)."""

from __future__ import annotations

import secrets
from typing import Any

from conformance.config import TargetConfig
from conformance.generation.payloads import fictional_phone, text_body

# A value no E.164 rule takes: what makes a harmless request invalid.
NOT_A_PHONE = "not-a-phone"


def unique_text() -> str:
    """Message content that finds this exact message again in the log."""
    return f"tgo-conformance {secrets.token_hex(6)}"


def valid_request(op_id: str, config: TargetConfig) -> dict[str, Any]:
    """Keyword arguments of a request to ``op_id`` that a conforming server accepts.

    For the two writing operations the request creates data: callers send it only when
    writes are allowed, or when the server must refuse it before acting (bad key, no scope)."""
    if op_id == "sendMessage":
        return {"json": text_body(config, content=unique_text())}
    if op_id == "registerSenderNumber":
        return {"json": {"phone": fictional_phone(), "display_name": "tgo-conformance"}}
    if op_id == "lookupContact":
        return {"params": {"phone": config.recipient("reachable")}}
    return {}


def harmless_request(op_id: str, config: TargetConfig) -> dict[str, Any]:
    """A request that can never create data: for writing operations, a body a conforming server
    refuses as invalid (a to_phone or phone that is not E.164), used to see that a key is let
    in (no 401/403) without writing anything."""
    if op_id == "sendMessage":
        return {"json": text_body(config, to=NOT_A_PHONE)}
    if op_id == "registerSenderNumber":
        return {"json": {"phone": NOT_A_PHONE}}
    return valid_request(op_id, config)
