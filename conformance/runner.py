"""One conformance run: target, pytest over the shipped suite, verdict and exit status."""

from __future__ import annotations

import _thread
import json
import os
import tempfile
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conformance.client import TargetClient, TargetUnreachable
from conformance.config import ConfigError, TargetConfig, load_config
from conformance.embedded import embedded_mock
from conformance.mock.faults import Faults

EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
SUITE_DIR = Path(__file__).resolve().parent / "suite"


class RunError(Exception):
    """A run that cannot start: bad config, unreachable target. One line, exit status 2."""


@dataclass
class RunOptions:
    config: Path | None = None
    report_dir: Path | None = None
    profile: str = "full"
    max_duration: float | None = None
    baseline: Path | None = None
    pytest_args: Sequence[str] = ()
    mock_faults: Sequence[str] = field(default_factory=tuple)


@dataclass
class RunOutcome:
    exit_status: int
    report_dir: Path
    summary: dict[str, object] | None


def default_report_dir() -> Path:
    return Path("reports") / time.strftime("%Y%m%d-%H%M%S")


def _write_private(directory: Path, text: str) -> Path:
    path = directory / "tgo-conformance.toml"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def _preflight(config: TargetConfig) -> None:
    """One read, so an unreachable target gives one clear line instead of 300 failed tests."""
    with TargetClient(config) as client:
        try:
            client.request("GET", "/api/v1/sender-numbers")
        except TargetUnreachable as error:
            raise RunError(f"cannot reach the target: {error}") from None


def execute(options: RunOptions) -> RunOutcome:
    """Run the suite; raises RunError when it cannot start."""
    if options.baseline is not None and not (options.baseline / "summary.json").is_file():
        raise RunError(f"--baseline {options.baseline}: no summary.json there")
    report_dir = options.report_dir or default_report_dir()
    with ExitStack() as stack:
        target_args: list[str]
        label: str | None = None
        watchdog: _watchdog | None = None
        if options.config is not None:
            target_args = ["--tgo-config", str(options.config)]
            config = _load(options.config)
        elif os.environ.get("TGO_BASE_URL"):
            target_args = ["--tgo-from-env"]
            config = _load(None)
        else:
            faults = _faults(options.mock_faults)
            mock = stack.enter_context(embedded_mock(faults))
            private = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tgo-")))
            path = _write_private(private, mock.config_toml)
            target_args = ["--tgo-config", str(path)]
            config = _load(path)
            label = f"embedded mock ({mock.base_url})"
        _preflight(config)
        args = [
            "-c",
            str(SUITE_DIR / "pytest.ini"),
            "--rootdir",
            str(SUITE_DIR),
            str(SUITE_DIR),
            *target_args,
            "--tgo-report-dir",
            str(report_dir),
            "--tgo-profile",
            options.profile,
            "--junitxml",
            str(report_dir / "junit.xml"),
            "-o",
            "junit_family=xunit2",
            "--html",
            str(report_dir / "pytest-report.html"),
            "--self-contained-html",
            "-q",
            "--no-header",
            "-rN",
        ]
        if label:
            args += ["--tgo-target-label", label]
        if options.baseline is not None:
            args += ["--tgo-baseline", str(options.baseline)]
        if options.max_duration is not None:
            args += ["--tgo-deadline", str(time.time() + options.max_duration)]
            watchdog = _watchdog(options.max_duration)
            stack.enter_context(watchdog)
        args += list(options.pytest_args)
        code = pytest.main(args)
    summary = _read_summary(report_dir)
    if code == pytest.ExitCode.USAGE_ERROR or summary is None:
        raise RunError(
            f"pytest stopped before the suite ran (exit status {int(code)}); see the lines above"
        )
    if code == pytest.ExitCode.INTERRUPTED and not (watchdog and watchdog.fired):
        return RunOutcome(EXIT_INTERRUPTED, report_dir, summary)
    return RunOutcome(EXIT_FAIL if summary["verdict"] == "fail" else EXIT_PASS, report_dir, summary)


def _faults(names: Sequence[str]) -> Faults | None:
    try:
        return Faults.from_names(list(names)) if names else None
    except ValueError as error:
        raise RunError(f"--mock-faults: {error}") from None


def _load(path: Path | None) -> TargetConfig:
    try:
        return load_config(path)
    except ConfigError as error:
        raise RunError(str(error)) from None


class _watchdog:
    """Interrupts the run when --max-duration expires inside a long test (the per-test deadline
    check only stops tests from starting)."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self.timer = threading.Timer(seconds + 2.0, self._fire)
        self.timer.daemon = True

    def _fire(self) -> None:
        self.fired = True
        _thread.interrupt_main()

    def __enter__(self) -> None:
        self.timer.start()

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()


def _read_summary(report_dir: Path) -> dict[str, object] | None:
    try:
        data = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
