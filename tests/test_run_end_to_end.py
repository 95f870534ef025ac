"""The product end to end: `tgo-conformance run` against the mock passes and writes its files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import pytest
from leaks import assert_no_key_piece, files_under
from runs import MockRun, ServedMock, clean_env, cli, served_mock_run

from conformance.rules.catalogue import load_catalogue

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def mock_run(served_mock: ServedMock, tmp_path_factory: pytest.TempPathFactory) -> MockRun:
    # Read by five tests here, which xdist spreads over its workers, and by test_plan.py: one
    # run for them all (and one writer of the report the CI matrix keeps).
    return served_mock_run(tmp_path_factory, served_mock)


def test_run_against_the_mock_passes_every_must(mock_run: MockRun) -> None:
    summary = json.loads((mock_run.report_dir / "summary.json").read_text())
    assert summary["verdict"] == "pass"
    assert summary["complete"] is True
    assert summary["tests"]["suite_errors"] == 0
    statuses = {r["id"]: r for r in summary["requirements"]}
    assert set(statuses) == set(load_catalogue().ids())
    for req in summary["requirements"]:
        if req["status"] == "not_tested":
            assert req["reason"], req["id"]
        else:
            assert req["status"] == "passed", (req["id"], req["failures"][:1])
    assert summary["counts"]["failed"] == 0
    assert summary["counts"]["passed"] + summary["counts"]["not_tested"] == len(statuses)


def test_summary_has_the_contract_shape(mock_run: MockRun) -> None:
    summary = json.loads((mock_run.report_dir / "summary.json").read_text())
    for field in ("verdict", "target", "started_at", "duration_s", "counts", "requirements"):
        assert field in summary
    assert summary["target"] == mock_run.config.base_url
    first = summary["requirements"][0]
    for field in ("id", "level", "title", "source", "status", "tests", "failures"):
        assert field in first


def test_junit_names_requirements_as_properties(mock_run: MockRun) -> None:
    tree = ET.parse(mock_run.report_dir / "junit.xml")
    cases = tree.getroot().iter("testcase")
    with_ids = [c for c in cases if any(p.get("name") == "requirement" for p in c.iter("property"))]
    assert len(with_ids) > 100


def test_compliance_html_parses_and_shows_the_verdict(mock_run: MockRun) -> None:
    text = (mock_run.report_dir / "compliance.html").read_text()
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(text)
    assert 'id="verdict">PASS<' in text
    assert (mock_run.report_dir / "pytest-report.html").is_file()


def test_no_piece_of_a_key_anywhere_in_the_report_or_output(mock_run: MockRun) -> None:
    outputs: dict[str, bytes | str] = {
        "console": mock_run.output,
        **files_under(mock_run.report_dir),
    }
    assert_no_key_piece(outputs, mock_run.config.secrets())


def test_embedded_mock_run_without_config_passes(tmp_path: Path) -> None:
    result = cli(
        "run",
        "--profile",
        "quick",
        "--report-dir",
        str(tmp_path / "r"),
        env=clean_env(),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "PASS" in result.stdout
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["target"].startswith("embedded mock")


def test_suite_runs_as_a_plain_pytest_plugin(served_mock: ServedMock, tmp_path: Path) -> None:
    import subprocess
    import sys

    report_dir = tmp_path / "plugin-report"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "conformance.suite",
            "-q",
            "-p",
            "no:cacheprovider",
            "--tgo-config",
            str(served_mock.config_path),
            "--tgo-profile",
            "quick",
            "--tgo-report-dir",
            str(report_dir),
            "-k",
            "scopes",
        ],
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    summary = json.loads((report_dir / "summary.json").read_text())
    statuses = {r["id"]: r["status"] for r in summary["requirements"]}
    assert statuses["SCOPE-001"] == "passed"
    assert statuses["VOICE-001"] == "not_tested"
