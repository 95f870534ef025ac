"""The pytest-html report beside compliance.html: a Requirements column linking each ID to the
compliance report (on the controller only, also with xdist), and junit.xml's requirement IDs."""

from __future__ import annotations

import html
import importlib.util
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from report_runs import FAULT, VOICE_ONLY, VoiceRuns, run_in_process


def _pytest_html_data(report_dir: Path) -> tuple[str, dict[str, Any]]:
    page = (report_dir / "pytest-report.html").read_text(encoding="utf-8")
    blob = re.search(r'data-jsonblob="([^"]*)"', page)
    assert blob is not None, "pytest-html changed how it stores its data"
    return page, json.loads(html.unescape(blob.group(1)))


def _requirement_cells(data: dict[str, Any]) -> dict[str, str]:
    cells = {}
    for results in data["tests"].values():
        for result in results:
            row = result["resultsTableRow"]
            test_id = re.sub(r"<[^>]+>", "", row[1])
            cells[test_id] = next(c for c in row if 'class="col-requirements"' in c)
    return cells


def _check_requirements_column(report_dir: Path) -> None:
    page, data = _pytest_html_data(report_dir)
    assert '<th class="sortable" data-column-type="requirements">Requirements</th>' in page
    cells = _requirement_cells(data)
    assert cells, "no rows"
    failing = next(c for t, c in cells.items() if t.endswith("outside_the_bounds[301]"))
    assert '<a href="compliance.html#VOICE-002">VOICE-002</a>' in failing
    # Every ID it links to is a row of compliance.html.
    compliance = (report_dir / "compliance.html").read_text(encoding="utf-8")
    for cell in cells.values():
        for req_id in re.findall(r'href="compliance.html#([A-Z]+-\d{3})"', cell):
            assert f'id="{req_id}"' in compliance


@pytest.mark.slow
def test_pytest_html_has_a_requirements_column_linking_to_compliance(
    voice_runs: VoiceRuns,
) -> None:
    report_dir = voice_runs.broken.report_dir
    _check_requirements_column(report_dir)
    page, data = _pytest_html_data(report_dir)
    assert data["title"] == "TGO Business API conformance: test by test"
    assert '<a href="compliance.html">compliance.html</a>' in page
    assert '<a href="pytest-report.html">' in voice_runs.broken.html()


@pytest.mark.slow
def test_the_column_is_added_once_by_the_controller_under_xdist(tmp_path: Path) -> None:
    if importlib.util.find_spec("xdist") is None:
        pytest.skip("pytest-xdist is not installed")
    # In this process, as the other report runs: the controller is the one under test, and its
    # workers are processes of their own all the same.
    run = run_in_process(tmp_path / "report", "--mock-variant", FAULT, *VOICE_ONLY, "-n", "2")
    assert run.returncode == 1, run.output[-3000:]
    _check_requirements_column(run.report_dir)
    page, _ = _pytest_html_data(run.report_dir)
    assert page.count('data-column-type="requirements"') == 1
    assert run.requirement("VOICE-002")["status"] == "failed"
    assert run.summary()["complete"] is True


@pytest.mark.slow
def test_junit_names_the_requirements_of_each_test(voice_runs: VoiceRuns) -> None:
    tree = ET.parse(voice_runs.broken.report_dir / "junit.xml")
    named = {
        case.get("name"): [
            p.get("value") for p in case.iter("property") if p.get("name") == "requirement"
        ]
        for case in tree.getroot().iter("testcase")
    }
    failing = next(
        ids for name, ids in named.items() if name and name.endswith("outside_the_bounds[301]")
    )
    assert "VOICE-002" in failing
    assert all(named.values())
