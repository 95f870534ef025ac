"""The files a run writes: atomically (an interruption never leaves half a file), through the
redactor, and in the summary.json shape that target-config.md promises."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from pathlib import Path

import html5lib
import pytest
from report_samples import KEY, sample_report

from conformance.redact import Redactor
from conformance.report.writer import redact_file, write_atomic, write_reports
from conformance.rules.catalogue import Requirement


def _leftovers(directory: Path) -> list[str]:
    """Temporary files a write left behind."""
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def test_write_reports_writes_summary_and_page(tmp_path: Path) -> None:
    write_reports(sample_report(), tmp_path, Redactor([KEY]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["compliance.html", "summary.json"]
    json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    html5lib.HTMLParser(strict=True).parse((tmp_path / "compliance.html").read_text())


def test_a_crash_while_rendering_keeps_the_earlier_files_and_leaves_no_partial_file(
    tmp_path: Path,
) -> None:
    write_reports(sample_report(), tmp_path, Redactor([KEY]))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    # A requirement in an area the page does not know: rendering fails half-way through.
    report = sample_report()
    odd = report.requirements[0]
    bogus: Requirement = replace(odd.requirement, area="no-such-area")
    report.requirements[0] = replace(odd, requirement=bogus)
    with pytest.raises(ValueError):
        write_reports(report, tmp_path, Redactor([KEY]))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("interruption", [OSError("disk full"), KeyboardInterrupt()])
def test_an_interrupted_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interruption: BaseException
) -> None:
    target = tmp_path / "compliance.html"
    write_atomic(target, "the complete earlier report")

    def fail(fd: int) -> None:  # the text is in the temporary file; the rename has not happened
        raise interruption

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(type(interruption)):
        write_atomic(target, "half a new report " * 10_000)
    monkeypatch.undo()
    assert target.read_text() == "the complete earlier report"
    assert _leftovers(tmp_path) == []


def test_written_files_follow_the_umask_like_any_file(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        write_atomic(tmp_path / "summary.json", "{}")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "summary.json").stat().st_mode) == 0o644


def test_text_utf8_cannot_encode_is_escaped_not_lost(tmp_path: Path) -> None:
    # A lone surrogate can reach a summary through json.loads of a target's "\\ud800".
    text = json.dumps({"body": "a \ud800 b"}, ensure_ascii=False)
    write_atomic(tmp_path / "summary.json", text)
    assert json.loads((tmp_path / "summary.json").read_text()) == {"body": "a \ud800 b"}


def test_every_file_passes_through_the_redactor(tmp_path: Path) -> None:
    report = sample_report(target=f"https://staging.example.com/?key={KEY}")
    write_reports(report, tmp_path, Redactor([KEY]))
    for path in tmp_path.iterdir():
        text = path.read_text()
        assert KEY not in text
        assert "trk_…1234" in text


def test_redact_file_masks_a_key_in_a_file_another_tool_wrote(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(f'<testcase><failure message="key {KEY}"/></testcase>')
    clean = tmp_path / "pytest-report.html"
    clean.write_text("<p>nothing secret</p>")
    assert redact_file(junit, Redactor([KEY])) is True
    assert redact_file(clean, Redactor([KEY])) is False
    assert redact_file(tmp_path / "missing.xml", Redactor([KEY])) is False
    assert junit.read_text() == '<testcase><failure message="key trk_…1234"/></testcase>'


def test_summary_keeps_the_contract_shape() -> None:
    summary = json.loads(json.dumps(sample_report().to_summary()))
    assert summary["verdict"] == "fail"
    assert summary["target"] == "https://staging.example.com"
    assert summary["started_at"] == "2026-11-22T10:00:00Z"
    assert summary["duration_s"] == 41.2
    assert {"passed", "failed", "not_tested"} <= set(summary["counts"])
    for requirement in summary["requirements"]:
        for field in ("id", "level", "title", "source", "status", "tests", "failures"):
            assert field in requirement, field
        assert requirement["status"] in ("passed", "failed", "not_tested")
        assert isinstance(requirement["source"], str)
    voice = next(r for r in summary["requirements"] if r["id"] == "VOICE-002")
    failure = voice["failures"][0]
    assert set(failure) == {"test", "message", "expected", "evidence"}
    assert set(failure["evidence"]) >= {"request", "response", "curl"}
    err = next(r for r in summary["requirements"] if r["id"] == "ERR-002")
    assert [g["count"] for g in err["failure_groups"]] == [12, 1, 1, 1, 1]
