"""One conformance run: target, pytest over the shipped suite, verdict and exit status.

What the run does when the target or the person running it misbehaves is listed in
docs/hostile-targets.md: bad input stops it before anything is sent (one line, exit 2);
--max-duration and SIGINT / SIGTERM stop it with the partial report written.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conformance.config import TargetConfig
from conformance.description import RunDescription, default_report_dir
from conformance.http.evidence import SentRequest
from conformance.plugin.session import ConformancePlugin
from conformance.profiles import new_seed
from conformance.report.console import verdict_lines
from conformance.report.model import RunReport
from conformance.run.interrupts import (
    EXIT_INTERRUPTED,
    HeldStderr,
    Interrupts,
    Watchdog,
)
from conformance.run.options import RunOptions, recorded_invocation
from conformance.run.pytest_front import RunControl, RunError, pytest_args, usage_line
from conformance.run.target import resolve_target
from conformance.waivers import Waiver, WaiverError, load_waivers

__all__ = [
    "EXIT_FAIL",
    "EXIT_INCONCLUSIVE",
    "EXIT_INTERRUPTED",
    "EXIT_PASS",
    "EXIT_USAGE",
    "RunError",
    "RunOptions",
    "RunOutcome",
    "execute",
]

EXIT_PASS, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
# No MUST failed, but the target stopped answering before some MUST could be observed: the run
# proves neither conformance nor its absence (docs/target-config.md, "Exit status").
EXIT_INCONCLUSIVE = 3
VERDICT_STATUS = {"pass": EXIT_PASS, "fail": EXIT_FAIL, "inconclusive": EXIT_INCONCLUSIVE}


@dataclass
class RunOutcome:
    exit_status: int
    report_dir: Path
    report: RunReport | None  # None when pytest answered by itself (`-- --help`)
    lines: tuple[str, ...] = ()  # what the command prints after pytest's own output (redacted)
    target: TargetConfig | None = None  # the target config the run used
    # every request the tests sent, by test, as data (the plan counts them)
    sent: Mapping[str, Sequence[SentRequest]] = field(default_factory=dict)


def execute(options: RunOptions) -> RunOutcome:
    """Run the suite; raises RunError when it cannot start."""
    if options.baseline is not None and not (options.baseline / "summary.json").is_file():
        raise RunError(f"--baseline {options.baseline}: no summary.json there")
    report_dir = options.report_dir or default_report_dir()
    _check_report_dir(report_dir)
    created = _missing_dirs(report_dir)
    with ExitStack() as stack:
        target, label = resolve_target(
            options.config, options.mock_variants, stack, options.contract, options.stand_in_for
        )
        started = time.time()
        seed = options.seed if options.seed is not None else new_seed()
        run = RunDescription(
            target=target,
            report_dir=report_dir,
            target_label=label,
            run_name=options.name,
            profile=options.profile,
            deadline=None if options.max_duration is None else started + options.max_duration,
            max_duration=options.max_duration,
            baseline=options.baseline,
            contract=options.contract,
            seed=seed,
            waivers=_waivers(options.waivers),
            progress_every=options.progress_every,
            invocation=recorded_invocation(options, seed),
        )
        plugin = ConformancePlugin(run, controller=True)
        stderr = stack.enter_context(HeldStderr())
        control = RunControl(plugin, stderr)
        interrupts = stack.enter_context(Interrupts(control))
        watchdog: Watchdog | None = None
        if options.max_duration is not None:
            watchdog = stack.enter_context(Watchdog(options.max_duration, interrupts))
        code = pytest.main(pytest_args(run, list(options.pytest_args)), plugins=[plugin, control])
    if control.error is not None:
        _remove_what_was_written(run.work_dir, created)
        raise RunError(control.error)
    if not control.parsed and code == pytest.ExitCode.USAGE_ERROR:
        raise RunError(f"pytest arguments: {usage_line(stderr.held_text())}")
    report = plugin.collector.report if plugin.collector is not None else None
    if report is None and code == pytest.ExitCode.OK:
        return RunOutcome(EXIT_PASS, report_dir, None)  # e.g. `-- --help`: pytest's own answer
    if code == pytest.ExitCode.USAGE_ERROR or report is None:
        raise RunError(
            f"pytest stopped before the suite ran (exit status {int(code)}); see the lines above"
        )
    lines = tuple(run.target.redactor().text(line) for line in verdict_lines(report, report_dir))
    stopped = control.stopped_by or interrupts.raised
    if code in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR) and stopped:
        code = pytest.ExitCode.INTERRUPTED
    if code == pytest.ExitCode.INTERRUPTED:
        if stopped is not None and stopped.exit_status is not None:
            return RunOutcome(stopped.exit_status, report_dir, report, lines)
        if stopped is None and not (watchdog is not None and watchdog.fired):
            return RunOutcome(EXIT_INTERRUPTED, report_dir, report, lines)
    # Complete, or stopped at --max-duration: the verdict on what ran decides.
    sent = dict(plugin.collector.sent) if plugin.collector is not None else {}
    return RunOutcome(VERDICT_STATUS[report.verdict], report_dir, report, lines, run.target, sent)


def _waivers(path: Path | None) -> tuple[Waiver, ...]:
    """The waivers file, read before anything is sent: a malformed one is a usage error."""
    if path is None:
        return ()
    try:
        return load_waivers(path)
    except WaiverError as error:
        raise RunError(str(error)) from None


def _missing_dirs(report_dir: Path) -> list[Path]:
    """The directories a run would create for its reports, innermost first."""
    missing = []
    path = report_dir.absolute()
    while not path.exists() and path != path.parent:
        missing.append(path)
        path = path.parent
    return missing


def _remove_what_was_written(work_dir: Path, created: list[Path]) -> None:
    """A run that could not start (the preflight read got no answer) leaves nothing behind:
    not its work directory, and not the report directories it created for nothing."""
    shutil.rmtree(work_dir, ignore_errors=True)
    for directory in created:
        try:
            directory.rmdir()  # only when empty: never what someone else put there meanwhile
        except OSError:
            return


def _check_report_dir(report_dir: Path) -> None:
    """A report directory that cannot be written is a usage error, found before anything is
    sent (and without creating it: a run that cannot start leaves nothing behind)."""
    existing = report_dir
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise RunError(f"--report-dir {report_dir}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise RunError(f"--report-dir {report_dir}: {existing} is not writable")
