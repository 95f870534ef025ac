"""Fixtures of the report tests: real runs of the suite against the embedded mock."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_runs import FAULT, VOICE_ONLY, VoiceRuns, run_in_process
from shared_runs import made_once


@pytest.fixture(scope="session")
def voice_runs(tmp_path_factory: pytest.TempPathFactory) -> VoiceRuns:
    # Read by several modules, which xdist spreads over its workers: made once for them all.
    return made_once(tmp_path_factory, "voice-runs", _voice_runs)


def _voice_runs(base: Path) -> VoiceRuns:
    # Their readers read the reports, never the process: run in this one (report_runs.py).
    faithful = run_in_process(base / "faithful", *VOICE_ONLY)
    assert faithful.returncode == 0, faithful.output[-3000:]
    broken = run_in_process(
        base / "broken",
        "--mock-variant",
        FAULT,
        "--baseline",
        str(faithful.report_dir),
        *VOICE_ONLY,
    )
    assert broken.returncode == 1, broken.output[-3000:]
    repaired = run_in_process(base / "repaired", "--baseline", str(broken.report_dir), *VOICE_ONLY)
    assert repaired.returncode == 0, repaired.output[-3000:]
    return VoiceRuns(faithful, broken, repaired)
