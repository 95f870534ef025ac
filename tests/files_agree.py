"""The four files of a run tell one story: the counts of tests and requirements by status read
from compliance.html, pytest-report.html, junit.xml and summary.json agree."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

TEST_OUTCOMES = ("total", "passed", "failed", "skipped", "inconclusive", "waived")
STATUSES = ("passed", "failed", "waived", "inconclusive", "not_tested")


def summary_counts(report_dir: Path) -> dict[str, Any]:
    summary = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    tests = summary["tests"]
    return {
        "tests": {k: tests[k] for k in TEST_OUTCOMES},
        "requirements": {k: summary["counts"][k] for k in STATUSES},
    }


def junit_counts(report_dir: Path) -> dict[str, int]:
    suite = next(ET.parse(report_dir / "junit.xml").iter("testsuite"))
    counts = {k: int(suite.get(k, "0")) for k in ("tests", "failures", "errors", "skipped")}
    # junit has no "expected failure": a waived test is a skipped one of type pytest.xfail.
    waived = sum(1 for s in suite.iter("skipped") if s.get("type") == "pytest.xfail")
    return {
        "total": counts["tests"],
        "passed": counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"],
        "failed": counts["failures"],
        "skipped": counts["skipped"] - waived,
        "inconclusive": counts["errors"],
        "waived": waived,
    }


def pytest_html_counts(report_dir: Path) -> dict[str, int]:
    page = (report_dir / "pytest-report.html").read_text(encoding="utf-8")
    found = dict(
        (kind, int(n)) for kind, n in re.findall(r'<span class="(\w+)">(\d+) [\w ]+,?</span>', page)
    )
    # Its run count leaves errors out: the total is the sum of its outcome counts.
    return {
        "total": sum(found[k] for k in ("passed", "failed", "skipped", "error", "xfailed")),
        "passed": found["passed"],
        "failed": found["failed"],
        "skipped": found["skipped"],
        "inconclusive": found["error"],
        "waived": found["xfailed"],
    }


def compliance_counts(report_dir: Path) -> dict[str, Any]:
    page = (report_dir / "compliance.html").read_text(encoding="utf-8")
    tests = re.search(
        r'id="test-counts">(\d+) \((\d+) passed, (\d+) failed, (?:(\d+) inconclusive, )?'
        r"(?:(\d+) waived, )?(\d+) skipped\)",
        page,
    )
    assert tests is not None, "compliance.html: no test counts"
    total, passed, failed, inconclusive, waived, skipped = tests.groups()
    row = re.search(r'<tr class="all"><th>All</th>' + r"<td>(\d+)</td>" * len(STATUSES), page)
    assert row is not None, "compliance.html: no requirement counts"
    return {
        "tests": {
            "total": int(total),
            "passed": int(passed),
            "failed": int(failed),
            "skipped": int(skipped),
            "inconclusive": int(inconclusive or 0),
            "waived": int(waived or 0),
        },
        "requirements": dict(zip(STATUSES, map(int, row.groups()), strict=True)),
    }


def assert_four_files_agree(report_dir: Path) -> dict[str, Any]:
    """The counts every file gives; fails naming the file that disagrees. Returns summary's."""
    summary = summary_counts(report_dir)
    compliance = compliance_counts(report_dir)
    assert compliance == summary, ("compliance.html", compliance, "summary.json", summary)
    junit = junit_counts(report_dir)
    assert junit == summary["tests"], ("junit.xml", junit, "summary.json", summary["tests"])
    html = pytest_html_counts(report_dir)
    assert html == summary["tests"], ("pytest-report.html", html, summary["tests"])
    return summary
