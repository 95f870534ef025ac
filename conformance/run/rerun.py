"""`tgo-conformance rerun REPORT_DIR`: the failed and inconclusive tests of an earlier run, run
again against the same target (its config read again, keys from where they came from then)
with the same seed, into a new report that has the earlier one as baseline (after `pytest
--lf` and schemathesis' replay)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from conformance.invocation import Invocation, InvocationError
from conformance.node_ids import without_named_tests
from conformance.run.orchestrate import RunOptions, RunOutcome, execute
from conformance.run.pytest_front import RunError


@dataclass(frozen=True)
class EarlierRun:
    """What a report directory says about the run that wrote it."""

    report_dir: Path
    invocation: Invocation
    tests: tuple[str, ...]  # its failed and inconclusive tests, in the order they ran

    def describe(self) -> str:
        """One line saying what the rerun does."""
        count = len(self.tests)
        return (
            f"rerun: {count} failed or inconclusive test{'s' if count != 1 else ''} of "
            f"{self.report_dir}, against the {self.invocation.target}"
            f"{f' {self.invocation.config}' if self.invocation.config else ''}, "
            f"seed {self.invocation.seed}"
        )


def read_earlier_run(report_dir: Path) -> EarlierRun:
    """The run recorded in `report_dir`/summary.json; RunError (one line) when there is none."""
    path = report_dir / "summary.json"
    if not path.is_file():
        raise RunError(f"{report_dir}: no summary.json there (not a run's report directory)")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise RunError(f"{path}: not readable ({' '.join(str(error).split())})") from None
    if not isinstance(summary, dict) or summary.get("invocation") is None:
        raise RunError(
            f"{path}: no record of how the run was started (written by a kit older than "
            "reruns, or by the plan's dry run)"
        )
    try:
        invocation = Invocation.from_json(summary["invocation"])
        reruns = summary.get("reruns")
        if not isinstance(reruns, list):
            raise InvocationError("no list of the tests to rerun (reruns)")
        tests = tuple(str(item["test"]) for item in reruns)
    except (InvocationError, KeyError, TypeError) as error:
        raise RunError(f"{path}: {error}") from None
    return EarlierRun(report_dir, invocation, tests)


def rerun_options(earlier: EarlierRun, report_dir: Path | None) -> RunOptions:
    """The options that run the earlier run's failed and inconclusive tests again; RunError
    when what it was started with is no longer there."""
    invocation = earlier.invocation
    for what, name in (("config file", invocation.config), ("waivers file", invocation.waivers)):
        if name is not None and not Path(name).is_file():
            raise RunError(f"the run's {what} {name} no longer exists")
    if invocation.target == "environment" and not os.environ.get("TGO_BASE_URL"):
        raise RunError(
            "the run read its target from the TGO_* environment, and TGO_BASE_URL is not set"
        )
    new_dir = report_dir or next_to(earlier.report_dir)
    if new_dir.absolute() == earlier.report_dir.absolute():
        raise RunError(f"--report-dir {new_dir}: the earlier run's own report directory")
    return RunOptions(
        config=None if invocation.config is None else Path(invocation.config),
        report_dir=new_dir,
        profile=invocation.profile,
        max_duration=invocation.max_duration,
        baseline=earlier.report_dir,
        seed=invocation.seed,
        waivers=None if invocation.waivers is None else Path(invocation.waivers),
        pytest_args=[*without_named_tests(invocation.pytest_args), *earlier.tests],
        mock_variants=invocation.mock_variants,
        contract=None if invocation.contract is None else Path(invocation.contract),
        name=invocation.name,
    )


def next_to(report_dir: Path) -> Path:
    """A new report directory beside the earlier one: NAME-rerun, NAME-rerun-2, ..."""
    base = report_dir.absolute()
    candidate = base.with_name(f"{base.name}-rerun")
    number = 2
    while candidate.exists():
        candidate = base.with_name(f"{base.name}-rerun-{number}")
        number += 1
    return candidate


def rerun(earlier: EarlierRun, options: RunOptions) -> RunOutcome:
    """Run the tests again. An earlier run against the embedded mock is rerun against the
    embedded mock, whatever TGO_BASE_URL the shell now holds."""
    if earlier.invocation.target != "embedded mock":
        return execute(options)
    with _without_variable("TGO_BASE_URL"):
        return execute(options)


@contextmanager
def _without_variable(name: str) -> Iterator[None]:
    # The runner chooses the environment's target over the mock when this is set.
    saved = os.environ.pop(name, None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ[name] = saved
