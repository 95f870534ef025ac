"""Every not-tested reason says what happened: no skip text claims a config value the run did
not have (a read-only run, a missing entry), and what the report asks to add is missing."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from runs import ServedMock, run_in_process

from conformance.config import TargetConfig
from conformance.config.toml import dump_toml
from conformance.run.orchestrate import RunOptions

pytestmark = pytest.mark.slow

# How the kit words a missing entry and a read-only run (docs/target-config.md names them).
NAMED_ENTRY = re.compile(r"no (\[[a-z_]+\](?:\.[a-z_.]+)?) in the target config")
READ_ONLY_WORDS = "allow_writes = false"


def _is_missing(config: TargetConfig, entry: str) -> bool:
    """Whether `entry` ("[keys].revoked", "[senders].active.id", "[other_account]") is absent."""
    table, _, name = entry.partition("].")
    table = table.strip("[]")
    if table == "other_account":
        other = config.other_account
        if other is None or not name:
            return other is None
        return getattr(other.sender, name.removeprefix("sender.")) is None
    if table == "senders":
        state, _, field = name.partition(".")
        sender = config.senders.get(state)
        return sender is None or (bool(field) and getattr(sender, field) is None)
    if table == "keys":
        return config.keys.get(name) is None
    return config.recipients.get(name) is None


def _run(
    config: TargetConfig | None,
    tmp_path: Path,
    mock_variants: tuple[str, ...] = (),
    pytest_args: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A quick run's summary.json. In this process: these tests read what the report says, not
    how the command's process ends."""
    report_dir = tmp_path / "report"
    path = None
    if config is not None:
        path = tmp_path / "target.toml"
        path.write_text(dump_toml(config), encoding="utf-8")
    options = RunOptions(
        config=path,
        profile="quick",
        report_dir=report_dir,
        mock_variants=mock_variants,
        pytest_args=pytest_args,
    )
    run = run_in_process(options)
    assert run.outcome.exit_status in (0, 1), run.output[-4000:]
    summary: dict[str, Any] = json.loads((report_dir / "summary.json").read_text())
    return summary


def _claims_hold(summary: dict[str, Any], config: TargetConfig) -> None:
    reasons = {r["id"]: r["reason"] for r in summary["requirements"] if r["status"] == "not_tested"}
    for req_id, reason in reasons.items():
        if READ_ONLY_WORDS in reason:
            assert not config.allow_writes, f"{req_id}: {reason}"
        for entry in NAMED_ENTRY.findall(reason):
            assert _is_missing(config, entry), f"{req_id}: {reason}"
    not_tested = summary["not_tested"]
    if config.allow_writes:
        assert "read_only" not in not_tested["by_cause"]
        assert "allow_writes = true" not in not_tested["to_test_more_add"]
    for to_add in not_tested["to_test_more_add"]:
        entry = to_add.split(" (or ", 1)[0]
        assert entry == "allow_writes = true" or _is_missing(config, entry), to_add


@pytest.mark.slow
def test_a_run_that_writes_never_blames_allow_writes(
    served_mock: ServedMock, tmp_path: Path
) -> None:
    # The active sender cannot send: the message meant to fill the log is refused, so the
    # log stays empty although writes are allowed (only the log and usage tests run: others
    # would fill the log by other means).
    # The embedded mock is seeded and described like the served one: every entry, writes on.
    config = served_mock.config
    assert config.allow_writes
    summary = _run(
        None, tmp_path, ("active_sender_cannot_send",), pytest_args=("-k", "test_logs_usage")
    )
    _claims_hold(summary, config)
    log = next(r for r in summary["requirements"] if r["id"] == "LOG-001")
    assert log["status"] == "not_tested", log
    assert "the message sent to fill it was refused" in log["reason"], log["reason"]


@pytest.mark.slow
def test_a_read_only_run_with_entries_missing_names_only_what_it_lacked(
    served_mock: ServedMock, tmp_path: Path
) -> None:
    full = served_mock.config
    senders = {"active": replace(full.senders["active"], id=None), **{
        state: sender for state, sender in full.senders.items() if state != "active"
    }}  # fmt: skip
    config = replace(
        full,
        allow_writes=False,
        keys={"full": full.keys["full"]},
        senders=senders,
        other_account=None,
    )
    summary = _run(config, tmp_path)
    _claims_hold(summary, config)
    by_cause = summary["not_tested"]["by_cause"]
    assert by_cause.get("read_only") and by_cause.get("missing_entry"), by_cause
