"""How the kit's own tests run the tgo-conformance command: as a user would, in a subprocess."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from conformance.config import TargetConfig
from conformance.report.schemas import summary_problem


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
