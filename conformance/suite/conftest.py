"""Fixtures the suite's tests share. The requests themselves live in conformance/generation/."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.config import TargetConfig
from conformance.generation.references import Confirmation, References
from conformance.http.client import TargetClient
from conformance.http.evidence import Exchange
from conformance.not_run import skip_because
from conformance.rules.values import Rules

Probe = Callable[..., Exchange]


@pytest.fixture
def call(target: TargetClient) -> Callable[..., Exchange]:
    """call("sendMessage", key="full", json=...) sends to the operation's method and path in
    the run's contract."""
    return target.call


@pytest.fixture
def lookup(target: TargetClient) -> Callable[..., Exchange]:
    """lookup(phone, sender_phone=None, key="full"): a contact lookup."""

    def _lookup(phone: str, sender_phone: str | None = None, key: str = "full") -> Exchange:
        params = {"phone": phone}
        if sender_phone is not None:
            params["sender_phone"] = sender_phone
        return target.call("lookupContact", key=key, params=params)

    return _lookup


@pytest.fixture(scope="session")
def references(target: TargetClient, tgo_config: TargetConfig, tgo_rules: Rules) -> References:
    """The reference requests negative cases are built from, each sent once per process."""
    return References(target, tgo_config, tgo_rules)


@pytest.fixture
def reference(references: References) -> Callable[[str], Confirmation]:
    """reference("text") sends that reference request (once per process); when the target does
    not accept it, the test is not tested: its negative cases could prove nothing."""

    def _reference(name: str) -> Confirmation:
        confirmation = references.confirm(name)
        if confirmation.accepted is False:
            skip_because(confirmation.not_run())
        return confirmation

    return _reference
