"""What the command prints after a run: the verdict line, one line per failed requirement."""

from __future__ import annotations

from pathlib import Path

from conformance.report.model import RunReport

# One line per failed requirement after the verdict, each cut to this many characters.
FAILURE_LINE_CHARS = 200


def verdict_lines(report: RunReport, report_dir: Path) -> list[str]:
    """The verdict with the counts, each failed requirement, and where the report is (not yet
    redacted: the runner passes them through the run's redactor)."""
    counts = report.counts()
    line = (
        f"tgo-conformance: {report.verdict.upper()} — {counts['passed']} passed, "
        f"{counts['failed']} failed ({counts['warnings']} warnings), "
        f"{counts['not_tested']} not tested"
    )
    if not report.complete:
        line += f" — INCOMPLETE: {report.incomplete_reason}"
    lines = [line]
    for result in report.requirements:
        if result.status != "failed":
            continue
        first = result.failures[0].message if result.failures else "failed"
        text = f"  {result.requirement.id} ({result.requirement.level}) failed: "
        text += " ".join(first.split())
        if len(text) > FAILURE_LINE_CHARS:
            text = text[: FAILURE_LINE_CHARS - 1] + "…"
        lines.append(text)
    lines.append(f"report: {report_dir / 'compliance.html'}")
    return lines
