"""--seed replays a run's generated cases; every run records its seed; and a run writes nothing
outside its report directory (no .hypothesis/ example database or cache in the current one)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from runs import clean_env, cli

SELECTION = ("--", "-k", "schema or phones")
# What differs between two runs by design: message markers, and the fictional phones a run
# registers (fresh per run, so a second run against the same target can register again), also
# as the phone cases break them ("12025550143", "+1 2025550143", "+1202a550143"...).
VARYING = re.compile(r"tgo-conformance [0-9a-f]{12}|[-+0-9 a]*?\d{3}-?[0-9a]5501\d{2}[0-9]*")


def _run(tmp_path: Path, name: str, *args: str) -> tuple[Path, str]:
    report_dir = tmp_path / name
    result = cli(
        "run", "--profile", "quick", "--report-dir", str(report_dir), *args, *SELECTION,
        env=clean_env(), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return report_dir, result.stdout


def _generated(report_dir: Path) -> dict[str, list[tuple[str, str, str, str]]]:
    """Each test's requests (method, path, query, body), with the by-design variance masked."""
    by_test: dict[str, list[tuple[str, str, str, str]]] = {}
    har = json.loads((report_dir / "exchanges.har").read_text())
    for entry in har["log"]["entries"]:
        request = entry["request"]
        url = urlsplit(request["url"])
        body = VARYING.sub("*", (request.get("postData") or {}).get("text", ""))
        by_test.setdefault(entry["_test"], []).append(
            (request["method"], url.path, VARYING.sub("*", url.query), body)
        )
    return by_test


@pytest.mark.slow
def test_a_seed_replays_the_generated_cases_and_is_recorded(tmp_path: Path) -> None:
    first, output = _run(tmp_path, "first", "--seed", "5")
    again, _ = _run(tmp_path, "again", "--seed", "5")
    other, _ = _run(tmp_path, "other", "--seed", "6")
    assert json.loads((first / "summary.json").read_text())["seed"] == 5
    assert "seed: 5 (--seed 5 replays these generated cases)" in output
    assert _generated(first) == _generated(again)
    assert _generated(first) != _generated(other)


@pytest.mark.slow
def test_a_run_without_seed_records_the_one_it_drew(tmp_path: Path) -> None:
    report_dir, output = _run(tmp_path, "drawn")
    seed = json.loads((report_dir / "summary.json").read_text())["seed"]
    assert isinstance(seed, int) and f"seed: {seed} " in output
    assert f"<th>seed</th><td>{seed}</td>" in (report_dir / "compliance.html").read_text()


@pytest.mark.slow
def test_a_run_writes_only_into_its_report_directory(tmp_path: Path) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    _run(work, "report")
    assert sorted(p.name for p in work.iterdir()) == ["report"]
    inside = {p.name for p in (work / "report").iterdir()}
    assert ".work" not in inside and ".hypothesis" not in inside
    assert {"compliance.html", "summary.json", "junit.xml", "exchanges.har"} <= inside
