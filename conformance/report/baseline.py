"""Comparison with an earlier run: which requirements regressed or were fixed since."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.report.model import RequirementResult


class BaselineError(Exception):
    """The baseline directory has no readable summary.json."""


def compare_with_baseline(results: list[RequirementResult], baseline_dir: Path) -> str:
    """Mark each result regressed (passed before, failed now) or fixed (the reverse).

    Returns the label of the baseline run for the report."""
    path = baseline_dir / "summary.json"
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
        before = {item["id"]: item["status"] for item in summary["requirements"]}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BaselineError(
            f"--baseline {baseline_dir}: no readable summary.json ({error})"
        ) from None
    for result in results:
        earlier = before.get(result.requirement.id)
        if earlier == "passed" and result.status == "failed":
            result.change = "regressed"
        elif earlier == "failed" and result.status == "passed":
            result.change = "fixed"
    return f"{baseline_dir} (started {summary.get('started_at', 'unknown')})"
