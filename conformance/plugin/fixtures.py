"""The fixtures the plugin gives the suite's tests: the target, its config and rules, the
verifier, and `need`, which skips a test (with the missing entry as data) when the target
config lacks what it needs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Literal

import pytest

from conformance.config import TargetConfig
from conformance.description import RunDescription
from conformance.http.client import TargetClient
from conformance.not_run import skip_because
from conformance.rules.catalogue import Catalogue
from conformance.rules.values import Rules
from conformance.verify import Verifier

CONFIG_TABLES: dict[str, Literal["keys", "senders", "recipients", "other_account"]] = {
    "key": "keys",
    "sender": "senders",
    "recipient": "recipients",
    "other_account": "other_account",
}


class SuiteFixtures:
    """The fixtures, as methods of the run's plugin (ConformancePlugin derives from this)."""

    run: RunDescription
    rules: Rules
    catalogue: Catalogue

    def client(self) -> TargetClient:
        raise NotImplementedError  # the plugin's: one client per process

    def verifier(self, item: pytest.Item) -> Verifier:
        raise NotImplementedError  # the plugin's: one verifier per test

    @pytest.fixture(scope="session")
    def tgo_config(self) -> TargetConfig:
        """The target config of this run."""
        return self.run.target

    @pytest.fixture(scope="session")
    def tgo_rules(self) -> Rules:
        """The rules of the API this run holds the target to."""
        return self.rules

    @pytest.fixture(scope="session")
    def tgo_catalogue(self) -> Catalogue:
        return self.catalogue

    @pytest.fixture(scope="session")
    def tgo_profile(self) -> str:
        return self.run.profile

    @pytest.fixture(scope="session")
    def settle_s(self) -> float:
        """How long a log, a usage count or a delivery may lag behind a send (READ-046)."""
        return self.run.profile_settings.settle_s

    @pytest.fixture(scope="session")
    def target(self) -> Iterator[TargetClient]:
        """An HTTP client for the target: keys by name, rate limit, timeout, redacted
        recording."""
        yield self.client()

    @pytest.fixture
    def verify(self, request: pytest.FixtureRequest) -> Verifier:
        """Records checks against the requirements the test's marker names."""
        return self.verifier(request.node)

    @pytest.fixture
    def need(self) -> Callable[..., Any]:
        """need("key", "messages_send") returns that entry, or skips naming the missing entry;
        need("other_account") the second account."""
        config = self.run.target

        def _need(kind: str, name: str = "") -> Any:
            value: Any
            if kind == "other_account":
                value = config.other_account
            elif kind == "key":
                value = config.key(name)
            elif kind == "sender":
                value = config.sender(name)
            else:
                value = config.recipient(name)
            if value is None:
                skip_because(config.missing(CONFIG_TABLES[kind], name))
            return value

        return _need
