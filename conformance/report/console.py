"""What the command prints after a run: the verdict line, where the target stopped answering,
one line per finding (its requirements named), and where the report is."""

from __future__ import annotations

from pathlib import Path

from conformance.report.model import RunReport

# Each line after the verdict is cut to this many characters.
FAILURE_LINE_CHARS = 200


def _cut(text: str) -> str:
    """One indented line of at most FAILURE_LINE_CHARS characters."""
    text = "  " + " ".join(text.split())
    return text if len(text) <= FAILURE_LINE_CHARS else text[: FAILURE_LINE_CHARS - 1] + "…"


def verdict_lines(report: RunReport, report_dir: Path) -> list[str]:
    """The verdict with the counts, each finding, and where the report is (not yet redacted:
    the runner passes them through the run's redactor)."""
    counts = report.counts()
    findings = report.findings
    line = (
        f"tgo-conformance: {report.verdict.upper()} — {counts['passed']} passed, "
        f"{counts['failed']} failed ({counts['warnings']} warnings), "
    )
    if counts["waived"]:
        line += f"{counts['waived']} waived, "
    if counts["inconclusive"]:
        line += f"{counts['inconclusive']} inconclusive, "
    line += f"{counts['not_tested']} not tested"
    if findings:
        line += f"; {len(findings)} finding{'s' if len(findings) != 1 else ''}"
    if not report.complete:
        line += f" — INCOMPLETE: {report.incomplete_reason}"
    lines = [line]
    no_answer = report.no_answer
    if no_answer is not None:
        request = str((no_answer.request or {}).get("request", "")).split("\n", 1)[0]
        what = "stopped answering at" if no_answer.stopped else "did not answer"
        lines.append(_cut(f"the target {what}: {request} ({no_answer.test})"))
    for finding in findings:
        ids = ", ".join(r.requirement.id for r in finding.requirements)
        lines.append(
            _cut(f"{finding.id} ({finding.level}) {ids} failed: {finding.example.message}")
        )
    for result in report.requirements:
        if result.status == "waived":
            lines.append(_cut(f"waived: {result.requirement.id}: {result.reason}"))
    for item in report.waivers:
        waiver = item.waiver
        problem = {
            "stale": "is stale (nothing it covers failed): remove it",
            "expired": f"expired on {waiver.expires.isoformat()}: it waives nothing",
            "unknown_requirement": "names no requirement of the catalogue: it waives nothing",
        }.get(item.state)
        if problem:
            lines.append(_cut(f"waiver {waiver.requirement} ({waiver.where}) {problem}"))
    if report.seed is not None:
        lines.append(f"seed: {report.seed} (--seed {report.seed} replays these generated cases)")
    lines.append(f"report: {report_dir / 'compliance.html'}")
    return lines
