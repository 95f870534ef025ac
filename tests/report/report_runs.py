"""Runs of the suite that the report tests read: narrowed to the voice tests (about 2 s each),
since these tests are about reporting, not coverage.

`run_suite` starts the command in a subprocess, as a user would: for the tests that read what
the process itself does (its exit status, what it prints, a signal). `run_in_process` runs the
same command line in this process, for the tests that read only the report it writes: an
interpreter start and the kit's imports cost about as much as a narrowed run itself.
"""

from __future__ import annotations

import json
import os
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from runs import assert_summary_valid, clean_env, cli

from conformance.cli import main

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


def run_in_process(report_dir: Path, *args: str) -> Run:
    """`tgo-conformance run` against the embedded mock, parsed and run by the CLI's own command
    in this process (click's test runner holds its output and exit status)."""
    # The embedded mock is the target: a TGO_* variable of the caller's would steer the run. And
    # the run is a user's, not one of this session's xdist workers: its HAR part and entry ids
    # are a controller's ("main"), and the workers it starts itself (-n) name their own.
    unset: dict[str, str | None] = {
        name: None for name in os.environ if name.startswith(("TGO_", "PYTEST_XDIST_"))
    }
    result = CliRunner().invoke(
        main,
        ["run", "--profile", "quick", "--report-dir", str(report_dir), *args],
        env=unset,
        catch_exceptions=True,
    )
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        output += "".join(traceback.format_exception(result.exception))
    assert_summary_valid(report_dir)  # as runs.cli checks every run's summary.json
    return Run(report_dir, result.exit_code, output)


@dataclass(frozen=True)
class VoiceRuns:
    faithful: Run  # no fault: VOICE-002 passes
    broken: Run  # voice_accept_301, compared with `faithful`: VOICE-002 regressed
    repaired: Run  # no fault again, compared with `broken`: VOICE-002 fixed
