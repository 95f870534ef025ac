"""Fixtures of the report tests: real runs of the suite against the embedded mock."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_runs import FAULT, VOICE_ONLY, VoiceRuns, run_suite
from shared_runs import made_once


@pytest.fixture(scope="session")
def voice_runs(tmp_path_factory: pytest.TempPathFactory) -> VoiceRuns:
    # Read by several modules, which xdist spreads over its workers: made once for them all.
    return made_once(tmp_path_factory, "voice-runs", _voice_runs)


def _voice_runs(base: Path) -> VoiceRuns:
    faithful = run_suite(base / "faithful", *VOICE_ONLY, cwd=base)
    assert faithful.returncode == 0, faithful.output[-3000:]
    broken = run_suite(
        base / "broken",
        "--mock-variant",
        FAULT,
        "--baseline",
        str(faithful.report_dir),
        *VOICE_ONLY,
        cwd=base,
    )
    assert broken.returncode == 1, broken.output[-3000:]
    repaired = run_suite(
        base / "repaired", "--baseline", str(broken.report_dir), *VOICE_ONLY, cwd=base
    )
    assert repaired.returncode == 0, repaired.output[-3000:]
    return VoiceRuns(faithful, broken, repaired)
