"""Comparison with an earlier run: which requirements regressed or were fixed since."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.report.model import BaselineComparison, Change, RequirementResult


class BaselineError(Exception):
    """The baseline directory has no readable summary.json."""


def read_baseline(baseline_dir: Path) -> dict[str, object]:
    """The baseline run's summary.json; BaselineError (one line) when it cannot be used."""
    path = baseline_dir / "summary.json"
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(summary, dict) or not isinstance(summary["requirements"], list):
            raise TypeError("not a run summary")
        for item in summary["requirements"]:
            str(item["id"]), str(item["status"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BaselineError(
            f"--baseline {baseline_dir}: no readable summary.json ({error})"
        ) from None
    return summary


def change_of(before: str | None, now: str) -> Change:
    """How a requirement's status moved from ``before`` (None: unknown then) to ``now``."""
    if before is None:
        return "new"
    if before == now:
        return "unchanged"
    if before == "passed" and now == "failed":
        return "regressed"
    if before == "failed" and now == "passed":
        return "fixed"
    if before == "not_tested":
        return "now_tested"
    return "no_longer_tested"


def compare_with_baseline(
    results: list[RequirementResult], baseline_dir: Path
) -> BaselineComparison:
    """Set each result's change and previous status against the baseline run.

    An unreadable baseline does not stop the report: the comparison carries the error and no
    result is marked."""
    try:
        summary = read_baseline(baseline_dir)
    except BaselineError as error:
        return BaselineComparison(path=str(baseline_dir), error=str(error))
    requirements = summary["requirements"]
    assert isinstance(requirements, list)
    before = {str(item["id"]): str(item["status"]) for item in requirements}
    changes: dict[str, list[str]] = {}
    for result in results:
        previous = before.get(result.requirement.id)
        result.previous_status = previous
        result.change = change_of(previous, result.status)
        changes.setdefault(result.change, []).append(result.requirement.id)
    complete = summary.get("complete")
    return BaselineComparison(
        path=str(baseline_dir),
        started_at=_text_or_none(summary.get("started_at")),
        verdict=_text_or_none(summary.get("verdict")),
        complete=complete if isinstance(complete, bool) else None,
        target=_text_or_none(summary.get("target")),
        changes=changes,
    )


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)
