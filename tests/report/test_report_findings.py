"""A run against a mock that breaks several rules at once: its failures come out as findings,
one per cause however many requirements cite it, and its four files tell one story."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from chromium import printed_pages, requires_chromium
from files_agree import assert_four_files_agree
from report_runs import Run, run_suite
from shared_runs import made_once

# Six broken rules; bad keys answered 403 and missing scopes answered 401 each break several
# requirements, and renaming the error's message field breaks the envelope on every status.
BROKEN = (
    "invalid_key_wrong_status",
    "scope_error_wrong_status",
    "e164_accept_separators",
    "voice_accept_301",
    "error_without_text",
    "log_missing_field_sent_at",
)


@pytest.fixture(scope="module")
def several_broken(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return made_once(tmp_path_factory, "several-broken", _several_broken)


def _several_broken(base: Path) -> Run:
    # A fixed seed: how many findings the generated cases add varies with it, and these tests
    # are about how findings are reported, not about finding them.
    run = run_suite(base / "r", "--mock-variant", ",".join(BROKEN), "--seed", "2", cwd=base)
    assert run.returncode == 1, run.output[-3000:]
    return run


def _finding_naming(run: Run, *req_ids: str) -> dict[str, object]:
    for finding in run.summary()["findings"]:
        if set(req_ids) <= set(finding["requirements"]):
            return dict(finding)
    raise AssertionError(f"no finding names {req_ids}: {run.summary()['findings']}")


@pytest.mark.slow
def test_one_cause_is_one_finding_naming_every_requirement_it_breaks(several_broken: Run) -> None:
    summary = several_broken.summary()
    findings = summary["findings"]
    failed = [r["id"] for r in summary["requirements"] if r["status"] == "failed"]
    assert len(findings) < len(failed), (len(findings), len(failed))
    # invalid_key_wrong_status: every bad key answered 403.
    bad_keys = _finding_naming(several_broken, "AUTH-002", "AUTH-003", "ERR-004")
    assert bad_keys["response_status"] == "HTTP 403"
    # scope_error_wrong_status: every missing scope answered 401.
    scopes = _finding_naming(several_broken, "SCOPE-001", "SCOPE-002", "SCOPE-007")
    assert scopes["response_status"] == "HTTP 401"
    # error_without_text: one envelope finding, whatever the status it was seen on.
    envelope = [
        f
        for f in findings
        if f["requirements"] == ["ERR-002"] and "no non-empty text" in f["observed"]
    ]
    assert len(envelope) == 1, envelope
    # Each finding counted once: no requirement's failures are split across two findings
    # of the same kind, and every failed requirement is in some finding.
    assert {r for f in findings for r in f["requirements"]} == set(failed)
    # MUST findings first, then by how many requirements they touch.
    levels = [f["level"] for f in findings]
    assert levels == sorted(levels, key=["MUST", "SHOULD", "MAY"].index)
    page = several_broken.html()
    assert f"What failed: {len(findings)} findings across {len(failed)} requirements" in page
    assert f"{len(findings)} findings" in several_broken.output


@pytest.mark.slow
def test_the_four_files_agree(several_broken: Run) -> None:
    counts = assert_four_files_agree(several_broken.report_dir)
    assert counts["tests"]["failed"] > 0 and counts["requirements"]["failed"] > 0


@pytest.mark.slow
def test_observed_values_are_json_not_python(several_broken: Run) -> None:
    observed = " ".join(f["observed"] for f in several_broken.summary()["findings"])
    assert '"+20 1001187188"' in observed  # a string as JSON writes it
    assert "None" not in observed and "'+20" not in observed


@pytest.mark.slow
@requires_chromium
def test_the_print_view_of_several_broken_rules_stays_short(
    several_broken: Run, tmp_path: Path
) -> None:
    pages = printed_pages(several_broken.report_dir / "compliance.html", tmp_path)
    findings = len(several_broken.summary()["findings"])
    print(f"{len(BROKEN)} broken rules, {findings} findings: {pages} printed pages")
    assert pages <= 14, pages


@pytest.mark.slow
def test_every_upload_a_curl_command_names_ships_with_the_report(several_broken: Run) -> None:
    report_dir = several_broken.report_dir
    texts = [(report_dir / "summary.json").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in (report_dir / "replay").glob("*.sh")]
    named = {path for text in texts for path in re.findall(r"@(bodies/[0-9a-f]{20}\.\w+)", text)}
    assert named, "the voice tests upload files"
    for path in named:
        assert (report_dir / path).is_file(), path


@pytest.mark.slow
def test_a_failure_seen_in_a_sequence_shows_every_step_and_a_replay_script(
    several_broken: Run,
) -> None:
    # log_missing_field_sent_at: the log test sends a message, then reads the log.
    scripts = sorted((several_broken.report_dir / "replay").glob("F*.sh"))
    assert scripts, "a multi-step finding has its replay script"
    page = several_broken.html()
    for script in scripts:
        finding = script.stem
        text = script.read_text(encoding="utf-8")
        steps = re.findall(r"^# step \d+: ", text, re.M)
        assert len(steps) >= 2 and text.count("\ncurl -i ") == len(steps), text
        assert f"Copy the {len(steps)} commands" in page
        assert f"replay/{finding}.sh" in page
