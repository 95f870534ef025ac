"""What the command prints after a run: the verdict line, where the target stopped answering,
one line per root cause and per finding (its requirements named), and where the report is."""

from __future__ import annotations

import shlex
from pathlib import Path

from conformance.http.evidence import request_line
from conformance.report.causes import root_causes_of
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
    causes = root_causes_of(findings)
    if findings:
        line += f"; {len(causes)} root cause{'s' if len(causes) != 1 else ''}, "
        line += f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"
    if not report.complete:
        line += f" — INCOMPLETE: {report.incomplete_reason}"
    lines = [line]
    no_answer = report.no_answer
    if no_answer is not None:
        request = request_line(no_answer.request)
        what = "stopped answering at" if no_answer.stopped else "did not answer"
        lines.append(_cut(f"the target {what}: {request} ({no_answer.test})"))
    for cause in causes:
        cleared, named = len(cause.clears), len(cause.requirements)
        clears = (
            f"one change clears its {named} requirement{'s' if named != 1 else ''}"
            if cleared == named
            else f"one change clears {cleared} of its {named} requirements"
        )
        ids = ", ".join(f.id for f in cause.findings)
        lines.append(_cut(f"{cause.id} ({cause.level}) {cause.headline} — {clears} ({ids})"))
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
    if report.invocation is not None and report.invocation.reruns_json(report.tests):
        rerun = f"tgo-conformance rerun {shlex.quote(str(report_dir))}"
        lines.append(f"rerun the failed and inconclusive tests: {rerun}")
    if report.seed is not None:
        # Next to the last line, interrupted runs included: the seed of a run that did not pass
        # is what replays its generated cases, and a scrolled-off line is a lost seed.
        seed = f"seed: {report.seed} (--seed {report.seed} replays these generated cases)"
        if report.verdict != "pass" or not report.complete:
            seed += "; keep it with this run's verdict"
        lines.append(seed)
    lines.append(f"report: {report_dir / 'compliance.html'}")
    return lines
