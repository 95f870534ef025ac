"""Progress on long runs: line by line, how far the run is, and nothing in a short one."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from runs import ServedMock, clean_env, cli

from conformance.config.toml import dump_toml

PROGRESS = re.compile(
    r"^progress: (\d+)/(\d+) tests, (\d+)/(\d+) requirements decided, \S+ elapsed"
    r"(, about \S+ left)?$",
    re.M,
)


def _run(tmp_path: Path, config: Path, *args: str) -> str:
    result = cli(
        "run", "--config", str(config), "--profile", "quick", "--report-dir",
        str(tmp_path / "r"), *args, "--", "-k", "scopes", env=clean_env(), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    return result.stdout


@pytest.mark.slow
def test_a_rate_limited_run_says_how_far_it_is(served_mock: ServedMock, tmp_path: Path) -> None:
    config = tmp_path / "slow.toml"
    config.write_text(dump_toml(replace(served_mock.config, rate_limit=25.0)), encoding="utf-8")
    output = _run(tmp_path, config, "--progress-every", "0.5")
    lines = PROGRESS.findall(output)
    assert len(lines) >= 2, output
    done = [int(line[0]) for line in lines]
    assert done == sorted(done) and all(int(line[1]) == int(lines[0][1]) for line in lines)
    assert int(lines[0][3]) > 0 and lines[0][4], "requirements decided, and an estimate left"
    assert "\r" not in output  # line by line, for a CI log as for a terminal


@pytest.mark.slow
def test_a_short_run_in_a_log_prints_no_progress(served_mock: ServedMock, tmp_path: Path) -> None:
    # Not a terminal: a line a minute at most, so a run of seconds prints none.
    assert not PROGRESS.search(_run(tmp_path, served_mock.config_path))
