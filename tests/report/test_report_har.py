"""exchanges.har: every exchange of a run, redacted, in HAR 1.2 (validated against the
har-schema package's JSON Schema), each entry tagged with its test and requirements, and every
evidence block of the report pointing at its entry."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft6Validator
from leaks import assert_no_key_piece, files_under
from referencing import Registry, Resource
from report_runs import Run, VoiceRuns, run_in_process
from runs import ServedMock

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "har_schema"


def har_validator() -> Draft6Validator:
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text())))
        for path in SCHEMA_DIR.glob("*.json")
    ]
    registry: Registry[Any] = Registry().with_resources(resources)
    return Draft6Validator({"$ref": "har.json#"}, registry=registry)


@pytest.fixture(scope="module")
def broken_voice(voice_runs: VoiceRuns) -> Run:
    """The voice tests against voice_accept_301 (conftest.py's run, which the baseline and
    pytest-html tests read too): failing and passing tests, a multipart upload, the preflight
    read. Its --baseline changes what the report says, never what was sent."""
    return voice_runs.broken


def _har(run: Run) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((run.report_dir / "exchanges.har").read_text())
    return data


@pytest.mark.slow
def test_the_har_is_valid_har_1_2(broken_voice: Run) -> None:
    har = _har(broken_voice)
    errors = sorted(har_validator().iter_errors(har), key=str)
    assert not errors, [e.message for e in errors[:5]]
    assert har["log"]["version"] == "1.2"
    assert har["log"]["creator"]["name"] == "tgo-conformance"


@pytest.mark.slow
def test_every_exchange_is_in_it_in_order_and_tagged(broken_voice: Run) -> None:
    entries = _har(broken_voice)["log"]["entries"]
    summary = broken_voice.summary()
    # Every request the tests sent, and the preflight read.
    assert len(entries) == summary["requests_sent"] + 1, (len(entries), summary["requests_sent"])
    started = [e["startedDateTime"] for e in entries]
    assert started == sorted(started)
    assert len({e["_id"] for e in entries}) == len(entries)
    tests = {t for r in summary["requirements"] for t in r["tests"]}
    for entry in entries:
        if entry["_test"].startswith("preflight"):
            continue
        assert entry["_test"] in tests, entry["_test"]
        assert entry["_requirements"], entry["_id"]
    uploads = [e for e in entries if "multipart/form-data" in json.dumps(e["request"])]
    assert uploads, "the voice tests upload files"


@pytest.mark.slow
def test_every_evidence_block_points_at_its_entry(broken_voice: Run) -> None:
    ids = {e["_id"] for e in _har(broken_voice)["log"]["entries"]}
    cited = [
        failure["evidence"]["har_entry"]
        for r in broken_voice.summary()["requirements"]
        for failure in r["failures"]
        if failure.get("evidence")
    ]
    assert cited and set(cited) <= ids
    shown = set(re.findall(r"_id</code> is <code>([^<]+)</code>", broken_voice.html()))
    assert shown and shown <= ids  # every entry the page names is in the HAR
    assert shown & set(cited)


@pytest.mark.slow
def test_the_har_is_redacted_like_the_reports(served_mock: ServedMock, tmp_path: Path) -> None:
    # Against a mock whose keys this test knows; the auth tests send them split, cut and
    # wrapped.
    run = run_in_process(
        tmp_path / "r", "--config", str(served_mock.config_path), "--", "-k", "auth"
    )
    har_text = (run.report_dir / "exchanges.har").read_text()
    assert "x-api-key" in har_text.lower() and "trk_…" in har_text, run.output[-2000:]
    assert '"_key":"[keys].full"' in har_text.replace(" ", "")
    assert_no_key_piece(files_under(run.report_dir), served_mock.config.secrets())
