"""One source for every rule: the contract's values are cited, and code follows a changed one.

The last test changes a bound in a copy of the contract and shows the mock, the generators and
the checks all following it, with no other file touched.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from docs_pages import quoted
from hypothesis import given, settings
from hypothesis import strategies as st
from runs import ServedMock, clean_env, cli

from conformance.generation.strategies import (
    boundary_durations,
    out_of_range_durations,
    valid_durations,
)
from conformance.mock import Behaviour
from conformance.mock.errors import InvalidDuration
from conformance.mock.validation import Validator
from conformance.rules.contract import load_spec, spec_path
from conformance.rules.values import Bounds, PhoneRule, load_rules

PINNED = load_spec()["x-tgo-rules"]


@pytest.mark.parametrize("name", sorted(PINNED))
def test_every_pinned_value_is_in_the_doc_words_that_pin_it(name: str) -> None:
    entry = PINNED[name]
    assert quoted(entry["doc"], entry["words"]), f"{name}: words not in {entry['doc']}"
    assert str(entry["value"]) in entry["words"], f"{name}: {entry['value']!r} not in its words"


def test_rules_read_the_contract() -> None:
    rules = load_rules()
    assert rules.duration == Bounds(1, 300)
    assert rules.phone == PhoneRule(True, True, 2, 15)
    assert rules.message_types == ("text", "image", "voice", "document")
    assert "active" in rules.sender_statuses and "suspended" in rules.sender_statuses
    assert rules.key_names == (
        "full",
        "messages_send",
        "messages_read",
        "contacts_lookup",
        "usage_read",
        "revoked",
    )
    assert rules.scopes["listSenderNumbers"] is None


def test_phone_rule_matches_the_contract_pattern() -> None:
    rules = load_rules()
    pattern = load_spec()["components"]["schemas"]["E164Phone"]["pattern"]
    assert PhoneRule.from_pattern(pattern) == rules.phone
    for ok in ("+12", "+201001187188", "+123456789012345"):
        assert rules.phone.matches(ok)
    for bad in ("+1", "+1234567890123456", "+0123", "201001187188", "+٣٣٣", "", None, 12):
        assert not rules.phone.matches(bad)


@pytest.fixture(scope="module")
def shorter_contract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the contract whose voice duration ends at 120 instead of 300."""
    spec = yaml.safe_load(spec_path().read_text(encoding="utf-8"))
    spec["components"]["schemas"]["SendMediaMessageRequest"]["properties"]["duration"][
        "maximum"
    ] = 120
    path = tmp_path_factory.mktemp("contract") / "tgo-business.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def test_mock_and_generators_follow_a_changed_bound(shorter_contract: Path) -> None:
    rules = load_rules(shorter_contract)
    assert rules.duration == Bounds(1, 120)
    validator = Validator(Behaviour(rules=rules))
    assert validator.duration("120", required=True) == 120
    with pytest.raises(InvalidDuration):
        validator.duration("121", required=True)
    assert max(boundary_durations(rules)) == 120
    assert "121" in out_of_range_durations(rules).values()

    @settings(max_examples=50)
    @given(st.data())
    def generated_within(data: st.DataObject) -> None:
        assert 1 <= data.draw(valid_durations(rules)) <= 120

    generated_within()


def _voice_results(report_dir: Path) -> dict[str, str]:
    summary = json.loads((report_dir / "summary.json").read_text())
    return {r["id"]: r["status"] for r in summary["requirements"] if r["id"].startswith("VOICE")}


@pytest.mark.slow
def test_checks_follow_a_changed_bound(
    shorter_contract: Path, served_mock: ServedMock, tmp_path: Path
) -> None:
    """The same suite, reading the changed contract: against a mock built from it, it passes;
    against the shipped mock (which takes 121 to 300) it fails VOICE-002."""
    along = cli(
        "run",
        "--profile",
        "quick",
        "--contract",
        str(shorter_contract),
        "--report-dir",
        str(tmp_path / "along"),
        "--",
        "-k",
        "voice and not schema",
        env=clean_env(),
        cwd=tmp_path,
    )
    assert along.returncode == 0, along.stdout[-3000:] + along.stderr[-2000:]
    assert _voice_results(tmp_path / "along")["VOICE-002"] == "passed"
    against = cli(
        "run",
        "--config",
        str(served_mock.config_path),
        "--profile",
        "quick",
        "--contract",
        str(shorter_contract),
        "--report-dir",
        str(tmp_path / "against"),
        "--",
        "-k",
        "voice and not schema",
        env=clean_env(),
        cwd=tmp_path,
    )
    assert against.returncode == 1, against.stdout[-3000:]
    assert _voice_results(tmp_path / "against")["VOICE-002"] == "failed"
