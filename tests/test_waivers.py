"""Waivers: a known deviation accepted until a date is `waived` in every file and does not fail
the verdict; stale, expired and unknown waivers are reported; a malformed file is exit 2."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from files_agree import assert_four_files_agree
from runs import clean_env, cli

from conformance.waivers import WaiverError, load_waivers

SELECTION = ("--", "-k", "voice and not schema")
BROKEN = "voice_accept_301"  # fails VOICE-002 and ERR-006 in test_voice.py

WAIVERS = """\
[[waiver]]
requirement = "VOICE-002"
reason = "duration bounds land in release 42"
accepted_by = "qa lead"
expires = 2099-01-31

[[waiver]]
requirement = "ERR-006"
tests = "test_voice.py::*"
reason = "the same fix"
accepted_by = "qa lead"
expires = 2099-01-31

[[waiver]]
requirement = "VOICE-001"
reason = "long fixed"
accepted_by = "qa lead"
expires = 2099-01-31

[[waiver]]
requirement = "VOICE-004"
reason = "ran out"
accepted_by = "qa lead"
expires = 2020-01-01

[[waiver]]
requirement = "VOICE-999"
reason = "a typo"
accepted_by = "qa lead"
expires = 2099-01-31
"""


def _run(tmp_path: Path, waivers: str) -> tuple[int, str, Path]:
    path = tmp_path / "waivers.toml"
    path.write_text(waivers, encoding="utf-8")
    report_dir = tmp_path / "r"
    result = cli(
        "run", "--profile", "quick", "--report-dir", str(report_dir), "--mock-variant", BROKEN,
        "--waivers", str(path), *SELECTION, env=clean_env(), cwd=tmp_path,
    )  # fmt: skip
    return result.returncode, result.stdout + result.stderr, report_dir


@pytest.mark.slow
def test_waived_failures_do_not_fail_the_verdict_and_every_file_says_waived(
    tmp_path: Path,
) -> None:
    status, output, report_dir = _run(tmp_path, WAIVERS)
    assert status == 0, output
    summary = json.loads((report_dir / "summary.json").read_text())
    assert summary["verdict"] == "pass"
    by_id = {r["id"]: r for r in summary["requirements"]}
    for req_id in ("VOICE-002", "ERR-006"):
        assert by_id[req_id]["status"] == "waived", by_id[req_id]
        assert "accepted by qa lead, until 2099-01-31" in by_id[req_id]["reason"]
        assert by_id[req_id]["failures"], "the failure is kept as evidence"
    states = {w["requirement"]: w["state"] for w in summary["waivers"]}
    assert states == {
        "VOICE-002": "applied",
        "ERR-006": "applied",
        "VOICE-001": "stale",
        "VOICE-004": "expired",
        "VOICE-999": "unknown_requirement",
    }
    assert summary["counts"]["waived"] == 2 and summary["tests"]["waived"] >= 1
    # junit.xml: an expected failure (skipped, type pytest.xfail) with the waiver's reason.
    skipped = [
        s
        for s in ET.parse(report_dir / "junit.xml").iter("skipped")
        if s.get("type") == "pytest.xfail"
    ]
    assert skipped and "waived: VOICE-002: duration bounds" in (skipped[0].get("message") or "")
    page = (report_dir / "compliance.html").read_text()
    assert '<span class="st waived">waived</span>' in page
    assert "stale: remove it" in page and "expired: waives nothing" in page
    assert "unknown requirement: waives nothing" in page
    assert "2 waived" in output
    assert "waived: VOICE-002: duration bounds land in release 42" in output
    assert "waiver VOICE-004 (waivers.toml: waiver 4) expired on 2020-01-01" in output
    assert "waiver VOICE-001 (waivers.toml: waiver 3) is stale" in output
    assert_four_files_agree(report_dir)


@pytest.mark.slow
def test_an_expired_or_narrower_waiver_waives_nothing(tmp_path: Path) -> None:
    waivers = WAIVERS.replace("2099-01-31", "2020-01-01", 1).replace(
        'tests = "test_voice.py::*"', 'tests = "test_messages.py::*"'
    )
    status, output, report_dir = _run(tmp_path, waivers)
    assert status == 1, output
    summary = json.loads((report_dir / "summary.json").read_text())
    by_id = {r["id"]: r["status"] for r in summary["requirements"]}
    assert by_id["VOICE-002"] == by_id["ERR-006"] == "failed"
    states = {w["requirement"]: w["state"] for w in summary["waivers"]}
    assert states["VOICE-002"] == "expired" and states["ERR-006"] == "stale"


BAD_FILES = {
    "not-toml": ("[[waiver]\n", "not TOML"),
    "no-reason": (
        '[[waiver]]\nrequirement = "VOICE-002"\naccepted_by = "x"\nexpires = 2099-01-01\n',
        "waiver 1: reason is required",
    ),
    "date-as-string": (
        '[[waiver]]\nrequirement = "VOICE-002"\nreason = "r"\naccepted_by = "x"\n'
        'expires = "2099-01-01"\n',
        "expires must be a TOML date",
    ),
    "unknown-field": (
        '[[waiver]]\nrequirement = "VOICE-002"\nreason = "r"\naccepted_by = "x"\n'
        "expires = 2099-01-01\nowner = 'y'\n",
        "unknown field 'owner'",
    ),
    "not-an-array": ('[waiver]\nrequirement = "VOICE-002"\n', "array of tables"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_malformed_waivers_file_is_a_configuration_error(case: str, tmp_path: Path) -> None:
    text, expected = BAD_FILES[case]
    path = tmp_path / "waivers.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WaiverError, match=expected):
        load_waivers(path)
    status, output, report_dir = _run(tmp_path, text)
    assert status == 2, output
    assert expected in output and "Traceback" not in output
    assert len(output.strip().splitlines()) == 1, output
    assert not report_dir.exists(), "nothing ran, nothing was written"


REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("page", ["README.md", "docs/target-config.md"])
def test_the_documented_example_loads(page: str, tmp_path: Path) -> None:
    text = (REPO / page).read_text(encoding="utf-8")
    [example] = [b for b in re.findall(r"```toml\n(.*?)```", text, re.S) if "[[waiver]]" in b]
    path = tmp_path / "waivers.toml"
    path.write_text(example, encoding="utf-8")
    [waiver] = load_waivers(path)
    assert waiver.covers("SCOPE-004", "conformance/suite/test_scopes.py::test_usage_scope[x]")
    assert not waiver.covers("SCOPE-004", "test_auth.py::test_x")
    assert waiver.expires.isoformat() == "2027-01-31"
