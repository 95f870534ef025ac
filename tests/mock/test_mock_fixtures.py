"""Seeding and the target config it renders (target-config.md)."""

from __future__ import annotations

import re
import tomllib

from tgo_mock_client import MockClient

from conformance.config import dump_toml
from conformance.mock import State, behaviour_of, seed, target_config

TOP_LEVEL = {
    "base_url",
    "timeout",
    "rate_limit",
    "allow_writes",
    "keys",
    "senders",
    "recipients",
    "other_account",
}
E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def test_target_config_follows_the_contract() -> None:
    seeded = seed(State())
    config = tomllib.loads(dump_toml(target_config("http://127.0.0.1:8123", seeded)))
    assert set(config) == TOP_LEVEL
    assert config["base_url"] == "http://127.0.0.1:8123"
    assert config["allow_writes"] is True
    assert isinstance(config["timeout"], float)
    assert config["keys"] == seeded.keys.as_dict()
    assert set(config["keys"]) == {
        "full",
        "messages_send",
        "messages_read",
        "contacts_lookup",
        "usage_read",
        "revoked",
    }
    assert config["senders"] == {
        "active": {"id": 12, "phone": "+201001187188"},
        "pending_verification": {"id": 13, "phone": "+201001187189"},
        "pending_account_verification": {"id": 14, "phone": "+201001187190"},
        "rejected": {"id": 15, "phone": "+201001187191"},
        "suspended": {"id": 16, "phone": "+201001187192"},
    }
    assert config["recipients"] == {
        "reachable": "+201010000000",
        "unreachable": "+201010000001",
        "unverified": "+201010000002",
    }
    # A second organisation, for the isolation tests: its own key and active sender.
    assert config["other_account"] == {
        "key": seeded.other_account.key,
        "sender": {"id": 17, "phone": "+201001187193"},
    }
    assert config["other_account"]["key"] not in config["keys"].values()
    phones = [s["phone"] for s in config["senders"].values()] + list(config["recipients"].values())
    assert all(E164.fullmatch(p) for p in phones)


def test_string_ids_render_as_the_mock_shows_them() -> None:
    seeded = seed(State())
    text = dump_toml(target_config("http://h:1", seeded, behaviour_of(["compat_string_ids"])))
    assert tomllib.loads(text)["senders"]["active"]["id"] == "snd_12"


def test_seed_is_idempotent_and_keeps_keys() -> None:
    state = State()
    first = seed(state)
    second = seed(state)
    assert first == second
    assert len(state.keys) == 7  # six of [keys] and [other_account]'s
    assert len(state.senders) == 6  # five of [senders] and [other_account]'s


def test_seeded_config_describes_the_seeded_mock(mock: MockClient) -> None:
    """Every entry of the rendered config behaves as target-config.md says it should."""
    config = tomllib.loads(dump_toml(target_config("http://testserver", mock.seeded)))
    keys, senders, recipients = config["keys"], config["senders"], config["recipients"]

    def status(path: str, key: str) -> int:
        code: int = mock.client.get(f"/api/v1{path}", headers={"X-Api-Key": key}).status_code
        return code

    assert status("/usage", keys["full"]) == 200
    assert status("/usage", keys["usage_read"]) == 200
    assert status("/messages", keys["messages_read"]) == 200
    assert status("/usage", keys["messages_send"]) == 403
    assert status("/usage", keys["revoked"]) == 401
    listed = {s["id"]: s["status"] for s in mock.get("/sender-numbers").json()}
    assert {name: listed[s["id"]] for name, s in senders.items()} == {
        name: name for name in senders
    }
    can_receive = {
        name: mock.lookup(phone=phone).json()["can_receive"] for name, phone in recipients.items()
    }
    assert can_receive == {"reachable": True, "unreachable": False, "unverified": False}
    assert mock.lookup(phone=recipients["unreachable"]).json()["exists"] is False
    assert mock.lookup(phone=recipients["unverified"]).json()["exists"] is True
