"""--seed replays a run's generated cases; every run records its seed; and a run writes nothing
outside its report directory (no .hypothesis/ example database or cache in the current one)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from runs import clean_env, cli
from shared_runs import made_once

# The tests of test_schema.py and test_phones.py that draw from the seed (the others send the
# same requests whatever the seed: tests/test_seed_independence.py names which tests draw).
GENERATED = (
    "test_generated_requests_get_responses_the_docs_allow",
    "test_phone_field_refuses_generated_non_e164_numbers",
    "test_lookup_of_generated_e164_numbers_is_a_reading",
)
SELECTION = ("--", "-k", " or ".join(GENERATED))
# What differs between two runs by design: message markers, and the fictional phones a run
# registers (fresh per run, so a second run against the same target can register again), also
# as the phone cases break them ("12025550143", "+1 2025550143", "+1202a550143"...).
VARYING = re.compile(r"tgo-conformance [0-9a-f]{12}|[-+0-9 a]*?\d{3}-?[0-9a]5501\d{2}[0-9]*")

DrawnRun = tuple[Path, str, Path]  # the report directory, the run's stdout, its current directory


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


def _seed_of(report_dir: Path) -> object:
    return json.loads((report_dir / "summary.json").read_text())["seed"]


@pytest.fixture(scope="module")
def drawn_run(tmp_path_factory: pytest.TempPathFactory) -> DrawnRun:
    """A run without --seed, started in an empty current directory: read by three tests (the
    seed it drew, what it wrote where, and as the run of another seed), made once for them."""
    return made_once(tmp_path_factory, "seed-drawn-run", _drawn_run)


def _drawn_run(directory: Path) -> DrawnRun:
    work = directory / "cwd"
    work.mkdir()
    report_dir, output = _run(work, "report")
    return report_dir, output, work


@pytest.mark.slow
def test_a_seed_replays_the_generated_cases_and_is_recorded(
    tmp_path: Path, drawn_run: DrawnRun
) -> None:
    first, output = _run(tmp_path, "first", "--seed", "5")
    again, _ = _run(tmp_path, "again", "--seed", "5")
    other, _, _ = drawn_run
    assert _seed_of(first) == 5
    assert "seed: 5 (--seed 5 replays these generated cases)" in output
    assert _generated(first) == _generated(again)
    assert _seed_of(other) != 5, "the run without --seed drew 5: no other seed to compare with"
    assert _generated(first) != _generated(other)


@pytest.mark.slow
def test_a_run_without_seed_records_the_one_it_drew(drawn_run: DrawnRun) -> None:
    report_dir, output, _ = drawn_run
    seed = _seed_of(report_dir)
    assert isinstance(seed, int) and f"seed: {seed} " in output
    assert f"<th>seed</th><td>{seed}</td>" in (report_dir / "compliance.html").read_text()


@pytest.mark.slow
def test_a_run_writes_only_into_its_report_directory(drawn_run: DrawnRun) -> None:
    report_dir, _, work = drawn_run
    assert sorted(p.name for p in work.iterdir()) == ["report"]
    inside = {p.name for p in report_dir.iterdir()}
    assert ".work" not in inside and ".hypothesis" not in inside
    assert {"compliance.html", "summary.json", "junit.xml", "exchanges.har"} <= inside
