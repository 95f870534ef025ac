"""Runs of the suite that the report tests read: narrowed to the voice tests (about 2 s each),
since these tests are about reporting, not coverage."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runs import clean_env, cli

VOICE_ONLY = ("--", "-k", "voice and not schema")
FAULT = "voice_accept_301"  # breaks VOICE-002 (and ERR-006, which the same check covers)


@dataclass(frozen=True)
class Run:
    report_dir: Path
    returncode: int
    output: str

    def summary(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.report_dir / "summary.json").read_text())
        return data

    def requirement(self, req_id: str) -> dict[str, Any]:
        return next(r for r in self.summary()["requirements"] if r["id"] == req_id)

    def html(self) -> str:
        return (self.report_dir / "compliance.html").read_text(encoding="utf-8")


def run_suite(report_dir: Path, *args: str, cwd: Path | None = None) -> Run:
    """`tgo-conformance run` against the embedded mock, as a user would start it."""
    result = cli(
        "run",
        "--profile",
        "quick",
        "--report-dir",
        str(report_dir),
        *args,
        env=clean_env(),
        cwd=cwd,
    )
    return Run(report_dir, result.returncode, result.stdout + result.stderr)


@dataclass(frozen=True)
class VoiceRuns:
    faithful: Run  # no fault: VOICE-002 passes
    broken: Run  # voice_accept_301, compared with `faithful`: VOICE-002 regressed
    repaired: Run  # no fault again, compared with `broken`: VOICE-002 fixed
