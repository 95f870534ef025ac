"""Fixtures the suite's tests share: requests a conforming server accepts or must refuse."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest

from conformance.config import TargetConfig
from conformance.generation.payloads import LOOKUP, fictional_phone, text_body
from conformance.http.client import TargetClient
from conformance.http.evidence import Exchange
from conformance.rules import contract

Probe = Callable[..., Exchange]


def valid_request(op_id: str, config: TargetConfig) -> dict[str, Any]:
    """Keyword arguments of a request to ``op_id`` that a conforming server accepts.

    For the two writing operations the request creates data: callers send it only when
    writes are allowed, or when the server must refuse it before acting (bad key, no scope)."""
    if op_id == "sendMessage":
        return {"json": text_body(config, content=unique_text())}
    if op_id == "registerSenderNumber":
        return {
            "json": {
                "phone": fictional_phone(),
                "display_name": "tgo-conformance",
            }
        }
    if op_id == "lookupContact":
        return {"params": {"phone": config.recipient("reachable")}}
    return {}


def harmless_request(op_id: str, config: TargetConfig) -> dict[str, Any]:
    """A request that can never create data: for writing operations, a body a conforming server
    refuses as invalid (a to_phone or phone that is not E.164), used to see that a key is
    let in (no 401/403) without writing anything."""
    if op_id == "sendMessage":
        return {"json": text_body(config, to="not-a-phone")}
    if op_id == "registerSenderNumber":
        return {"json": {"phone": "not-a-phone"}}
    return valid_request(op_id, config)


def unique_text() -> str:
    """Message content that finds this exact message again in the log."""
    return f"tgo-conformance {secrets.token_hex(6)}"


WRITING_OPERATIONS = frozenset({"sendMessage", "registerSenderNumber"})


@pytest.fixture
def call(target: TargetClient) -> Callable[..., Exchange]:
    """call("sendMessage", key="full", json=...) sends to the operation's method and path."""

    def _call(op_id: str, **kwargs: Any) -> Exchange:
        op = contract.operation(op_id)
        return target.request(op.method, op.path, **kwargs)

    return _call


@pytest.fixture
def lookup(target: TargetClient) -> Callable[..., Exchange]:
    def _lookup(phone: str, sender_phone: str | None = None, key: str = "full") -> Exchange:
        params = {"phone": phone}
        if sender_phone is not None:
            params["sender_phone"] = sender_phone
        return target.request("GET", LOOKUP, key=key, params=params)

    return _lookup
