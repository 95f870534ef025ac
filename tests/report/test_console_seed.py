"""The seed of a run that did not pass is in the console's last lines, interrupted runs included
(issue 24): a failure found by one seed in thirteen is lost with its seed."""

from __future__ import annotations

from pathlib import Path

from report_samples import sample_report

from conformance.report.console import verdict_lines
from conformance.report.model import TestOutcome
from conformance.verify import CheckRecord

SEED = 3_141_592_653


def _passing() -> list[TestOutcome]:
    return [
        TestOutcome(
            "test_senders.py::test_list",
            "passed",
            ("SENDER-005",),
            (CheckRecord("SENDER-005", True),),
        )
    ]


def _seed_line(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("seed: "))


def test_a_failed_run_names_its_seed_next_to_the_last_line(tmp_path: Path) -> None:
    report = sample_report(seed=SEED)
    assert report.verdict == "fail"
    lines = verdict_lines(report, tmp_path)
    assert lines[-2] == _seed_line(lines)
    assert f"--seed {SEED} replays" in lines[-2]
    assert "keep it" in lines[-2]


def test_an_interrupted_run_names_its_seed_next_to_the_last_line(tmp_path: Path) -> None:
    report = sample_report(
        seed=SEED, tests=_passing(), complete=False, incomplete_reason="interrupted (SIGINT)"
    )
    assert report.verdict == "pass"  # what ran passed; the run did not finish
    lines = verdict_lines(report, tmp_path)
    assert "INCOMPLETE" in lines[0]
    assert lines[-2] == _seed_line(lines)
    assert "keep it" in lines[-2]


def test_a_passing_run_names_its_seed_without_asking_to_keep_it(tmp_path: Path) -> None:
    lines = verdict_lines(sample_report(seed=SEED, tests=_passing()), tmp_path)
    assert f"seed: {SEED} (--seed {SEED} replays these generated cases)" in lines
    assert "keep it" not in _seed_line(lines)
