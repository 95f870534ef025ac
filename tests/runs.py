"""How the kit's own tests run the tgo-conformance command: as a user would, in a subprocess."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from shared_runs import made_once

from conformance.config import TargetConfig
from conformance.report.schemas import summary_problem

if TYPE_CHECKING:
    from conformance.run.orchestrate import RunOptions, RunOutcome


@dataclass(frozen=True)
class ServedMock:
    config_path: Path
    config: TargetConfig


def cli(
    *args: str, timeout: float = 600, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the tgo-conformance command as a user would, in a subprocess. Every summary.json a
    run writes is checked against the published schema (conformance/data/summary.schema.json)."""
    result = subprocess.run(
        [sys.executable, "-m", "conformance", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
        check=False,
    )
    if args[:1] in (("run",), ("rerun",)):
        assert_summary_valid(report_dir_of(args, cwd))
    return result


@dataclass(frozen=True)
class MockRun:
    """A quick run against the served mock: its report, console output, and the config of the
    mock it ran against (under xdist, the served mock of the worker that made the run)."""

    report_dir: Path
    output: str
    config: TargetConfig


def served_mock_run(factory: pytest.TempPathFactory, served_mock: ServedMock) -> MockRun:
    """`tgo-conformance run --config <the served mock's> --profile quick`, made once for the
    session and read by the tests of several modules (the report's files, the plan's bound);
    its report is the bundled mock's column of the CI matrix."""
    return made_once(factory, "served-mock-run", lambda base: _served_mock_run(served_mock, base))


def _served_mock_run(served_mock: ServedMock, base: Path) -> MockRun:
    report_dir = kept_report_dir("bundled-mock", base / "report")
    result = cli(
        "run", "--config", str(served_mock.config_path), "--name", "bundled mock",
        "--profile", "quick", "--report-dir", str(report_dir), env=clean_env(),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return MockRun(report_dir, result.stdout + result.stderr, served_mock.config)


def kept_report_dir(name: str, default: Path) -> Path:
    """Where a run the CI matrix shows writes its report: $TGO_MATRIX_REPORTS/<name> when .ci/run
    sets it (tests/matrix_check.py then builds the matrix of them), else `default`."""
    kept = os.environ.get("TGO_MATRIX_REPORTS")
    return Path(kept) / name if kept else default


def report_dir_of(args: tuple[str, ...], cwd: Path | None) -> Path | None:
    """The --report-dir a command was given (None without one: reports/ + a timestamp)."""
    for option, value in itertools.pairwise(args):
        if option == "--":
            break
        if option == "--report-dir":
            return Path(value) if cwd is None else cwd / value
    return None


def assert_summary_valid(report_dir: Path | None) -> None:
    """The run's summary.json, when it wrote one, matches the schema shipped with the kit."""
    if report_dir is None or not (report_dir / "summary.json").is_file():
        return
    summary = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    problem = summary_problem(summary)
    assert problem is None, f"{report_dir / 'summary.json'} breaks summary.schema.json: {problem}"


def clean_env() -> dict[str, str]:
    """The environment without TGO_* entries, so a developer's shell cannot steer a test run."""
    return {k: v for k, v in os.environ.items() if not k.startswith("TGO_")}


@dataclass(frozen=True)
class InProcessRun:
    outcome: RunOutcome
    output: str  # pytest's own lines, then what the command prints after them


def run_in_process(options: RunOptions) -> InProcessRun:
    """`tgo-conformance run` as cli.py calls it (`execute()`), in this process: for a test about
    what a run does, not about the command's process (its exit status, stdout, signals). Spares
    the interpreter's start and imports (1-2 s of CPU a run). As with cli(), the TGO_* variables
    of the caller's shell are set aside and the summary.json written is checked against the
    schema."""
    # Imported here: most tests that import this module start no run, and the runner's imports
    # (pytest's plugins, schemathesis, hypothesis) cost a second.
    from conformance.run.orchestrate import execute

    output = io.StringIO()
    saved = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith("TGO_")}
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            outcome = execute(options)
    finally:
        os.environ.update(saved)
    assert_summary_valid(outcome.report_dir)
    return InProcessRun(outcome, output.getvalue() + "\n".join(outcome.lines))


def default_sigint() -> None:
    """A child's SIGINT as from a terminal (preexec_fn): raising KeyboardInterrupt even when the
    tests were started with SIGINT ignored, as a background job of a script is."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
