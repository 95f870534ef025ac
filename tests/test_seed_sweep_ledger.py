"""The seed sweep's ledger (benchmarks/sweep_ledger.py): a sweep spread over sittings resumes
where it stopped, tops each target up to N seeds at the same kit, and sums up what it holds.
No real run here: the ledger functions are fed made-up outcomes."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from seed_sweep import (
    Outcome,
    _wait_with_cpu,
    _why_incomplete,
    replay_command,
    snapshot_kit,
    sweep,
)
from sweep_control import Hold, LiveRuns
from sweep_ledger import (
    Entry,
    Ledger,
    kit_fingerprint,
    plan_runs,
    seeds_done,
    summarize,
    summary_lines,
)

ROOT = Path(__file__).resolve().parents[1]
KIT = "a" * 64
OTHER_KIT = "b" * 64
VERSIONS = {"hypothesis": "1", "schemathesis": "4"}


def entry(target: str, seed: int, verdict: str = "pass", kit: str = KIT, **more: object) -> Entry:
    made = Entry(
        target=target,
        seed=seed,
        verdict=verdict,
        failed=("ERR-006",) if verdict == "fail" else (),
        warnings=(),
        first_failure="test_x: refused" if verdict == "fail" else "",
        wall_s=40.0,
        cpu_s=50.0,
        replay=replay_command(target, seed),
        kit=kit,
        kit_commit="0" * 40,
        finished_at="2026-12-03T14:00:00+00:00",
    )
    return replace(made, **more)  # type: ignore[arg-type]


def counter(start: int = 100) -> Callable[[], int]:
    """A stand-in for the random draw: start, start + 1, ..."""
    return itertools.count(start).__next__


# --- the ledger file ---------------------------------------------------------------------------


def test_each_entry_is_one_line_read_back_as_written(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.jsonl")
    written = [entry("variant:a", 1), entry("blind:flask", 2, "fail", cpu_s=None)]
    for one in written:
        ledger.append(one)
    lines = (tmp_path / "ledger.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert set(json.loads(lines[1])) >= {
        "target",
        "seed",
        "verdict",
        "failed",
        "warnings",
        "first_failure",
        "wall_s",
        "cpu_s",
        "replay",
        "kit",
        "kit_commit",
        "finished_at",
    }
    assert ledger.read() == (written, 0)


def test_a_line_cut_short_by_a_kill_loses_only_itself(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = Ledger(path)
    ledger.append(entry("variant:a", 1))
    with path.open("a", encoding="utf-8") as file:
        file.write(entry("variant:a", 2).line()[:30])
    assert ledger.read() == ([entry("variant:a", 1)], 1)
    assert Ledger(tmp_path / "none.jsonl").read() == ([], 0)


# --- the kit fingerprint -----------------------------------------------------------------------


@pytest.fixture
def kit(tmp_path: Path) -> Path:
    """A small package laid out as the kit is: conformance/data a link to openapi/."""
    (tmp_path / "openapi").mkdir()
    (tmp_path / "openapi" / "tgo-business.yaml").write_text("openapi: 3.1.0\n")
    package = tmp_path / "conformance"
    (package / "checks").mkdir(parents=True)
    (package / "checks" / "errors.py").write_text("RULE = 1\n")
    (package / "data").symlink_to("../openapi")
    return package


def test_a_changed_kit_file_changes_the_fingerprint(kit: Path) -> None:
    before = kit_fingerprint(kit, VERSIONS)
    assert kit_fingerprint(kit, VERSIONS) == before
    (kit / "checks" / "errors.py").write_text("RULE = 2\n")
    assert kit_fingerprint(kit, VERSIONS) != before


def test_a_changed_contract_changes_the_fingerprint(kit: Path) -> None:
    before = kit_fingerprint(kit, VERSIONS)
    (kit.parent / "openapi" / "tgo-business.yaml").write_text("openapi: 3.1.1\n")
    assert kit_fingerprint(kit, VERSIONS) != before


def test_a_moved_or_added_file_changes_the_fingerprint(kit: Path) -> None:
    before = kit_fingerprint(kit, VERSIONS)
    (kit / "checks" / "errors.py").rename(kit / "checks" / "lists.py")
    moved = kit_fingerprint(kit, VERSIONS)
    (kit / "checks" / "paging.py").write_text("")
    assert len({before, moved, kit_fingerprint(kit, VERSIONS)}) == 3


def test_another_hypothesis_changes_the_fingerprint(kit: Path) -> None:
    other = {**VERSIONS, "hypothesis": "2"}
    assert kit_fingerprint(kit, VERSIONS) != kit_fingerprint(kit, other)


def test_caches_leave_the_fingerprint_alone(kit: Path) -> None:
    before = kit_fingerprint(kit, VERSIONS)
    (kit / "checks" / "__pycache__").mkdir()
    (kit / "checks" / "__pycache__" / "errors.cpython-311.pyc").write_bytes(b"\0")
    (kit / "checks" / "stray.pyc").write_bytes(b"\0")
    assert kit_fingerprint(kit, VERSIONS) == before


def test_the_snapshot_has_the_fingerprint_of_the_tree(tmp_path: Path) -> None:
    # A working tree shared with other work may change meanwhile: read it before and after.
    before = kit_fingerprint(ROOT / "conformance", VERSIONS)
    copy = snapshot_kit(tmp_path)
    after = kit_fingerprint(ROOT / "conformance", VERSIONS)
    assert kit_fingerprint(copy / "conformance", VERSIONS) in {before, after}
    assert not (copy / "conformance" / "data").is_symlink()  # the contract itself is copied


# --- resuming ----------------------------------------------------------------------------------


def test_resume_skips_what_this_kit_ran() -> None:
    entries = [
        entry("variant:a", 1),
        entry("variant:a", 2, "fail"),
        entry("variant:b", 1, kit=OTHER_KIT),
        entry("blind:flask", 3, "no run: the server did not start"),
    ]
    done = seeds_done(entries, KIT)
    assert done == {"variant:a": {1, 2}}
    targets = ["variant:a", "variant:b", "blind:flask"]
    runs = plan_runs(targets, done, seed_list=[1, 2, 3], draw=counter())
    assert runs == [
        ("variant:b", 1),
        ("blind:flask", 1),
        ("variant:b", 2),
        ("blind:flask", 2),
        ("variant:a", 3),
        ("variant:b", 3),
        ("blind:flask", 3),
    ]


def test_seeds_top_each_target_up_to_n_distinct_seeds() -> None:
    done = {"variant:a": {100, 7}, "variant:b": {101, 102, 103}}
    targets = ["variant:a", "variant:b", "variant:c"]
    runs = plan_runs(targets, done, wanted=3, draw=counter())
    per_target = {t: [s for target, s in runs if target == t] for t in targets}
    assert {t: len(done.get(t, set()) | set(s)) for t, s in per_target.items()} == dict.fromkeys(
        targets, 3
    )
    assert per_target["variant:b"] == []
    # No seed a target already holds is drawn again for it; the targets share new seeds.
    assert all(not set(s) & done.get(t, set()) for t, s in per_target.items())
    assert per_target == {"variant:a": [101], "variant:b": [], "variant:c": [101, 102, 103]}
    # Seed by seed: every target's first new seed before any target's second.
    assert runs == [("variant:a", 101), ("variant:c", 101), ("variant:c", 102), ("variant:c", 103)]


def test_a_target_holding_n_seeds_runs_nothing_more() -> None:
    done = {"variant:a": {1, 2, 3}}
    assert plan_runs(["variant:a"], done, wanted=3, draw=counter()) == []
    assert plan_runs(["variant:a"], done, wanted=2, draw=counter()) == []


def test_without_a_ledger_every_target_gets_the_same_n_new_seeds() -> None:
    runs = plan_runs(["variant:a", "blind:go"], {}, wanted=2, draw=counter(5))
    assert runs == [("variant:a", 5), ("blind:go", 5), ("variant:a", 6), ("blind:go", 6)]


# --- the summary -------------------------------------------------------------------------------


def test_the_summary_counts_distinct_seeds_at_this_kit() -> None:
    entries = [
        entry("variant:a", 1, wall_s=30.0),
        entry("variant:a", 1, wall_s=50.0),  # run twice: one seed
        entry("variant:a", 2, "fail", wall_s=70.0),
        entry("variant:a", 3, kit=OTHER_KIT),
        entry("blind:flask", 1, cpu_s=None),
        entry("blind:flask", 4, "no run: the server did not start"),
    ]
    summary = summarize(entries, KIT, ["variant:a", "blind:flask", "variant:c"], wanted=2)
    rows = {row.target: row for row in summary.targets}
    assert (rows["variant:a"].seeds, rows["variant:a"].runs) == (2, 3)
    assert rows["variant:a"].median_wall_s == 50.0
    assert [e.seed for e in rows["variant:a"].not_pass] == [2]
    assert (rows["blind:flask"].seeds, rows["variant:c"].seeds) == (1, 0)
    assert rows["variant:c"].median_wall_s is None
    assert [row.target for row in summary.short] == ["blind:flask", "variant:c"]
    assert (summary.runs, summary.cpu_runs, summary.cpu_s) == (4, 3, 150.0)
    assert summary.wall_s == 30.0 + 50.0 + 70.0 + 40.0
    assert (summary.other_kits, summary.not_started) == ({OTHER_KIT: 1}, 1)


def test_a_seed_whose_verdict_changes_between_runs_is_named() -> None:
    entries = [entry("variant:a", 9), entry("variant:a", 9, "fail")]
    (row,) = summarize(entries, KIT, ["variant:a"], wanted=1).targets
    assert row.unsteady == (9,)


def test_the_summary_names_each_non_pass_run_with_its_replay() -> None:
    failing = entry("variant:a", 2, "fail")
    entries = [entry("variant:a", 1), failing, entry("variant:b", 1), entry("variant:b", 2)]
    text = "\n".join(summary_lines(summarize(entries, KIT, ["variant:a", "variant:b"], 2)))
    assert f"replay: {failing.replay}" in text
    assert "first failure: test_x: refused" in text
    assert "2 targets x at least 2 seeds: 4 runs, 1 not pass; 0.06 CPU hours" in text
    assert "targets short of 2 seeds: 0" in text
    many = [f"variant:v{i}" for i in range(10)]
    totals = summary_lines(summarize(entries, KIT, many, 2))[-1]
    assert totals.startswith("targets short of 2 seeds: 10 (variant:v0 0, ")
    assert totals.endswith("variant:v7 0, and 2 more)")
    assert "NOT variant:a: 2 seeds" in text and "ok  variant:b: 2 seeds" in text


def summary_command(ledger: Ledger, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "benchmarks" / "seed_sweep.py"), "--summary"]
    return subprocess.run(
        [
            *command,
            "--ledger",
            str(ledger.path),
            "--targets",
            "variant:compat_null_is_absent",
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ledger.path.parent,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.slow  # three runs of the sweep script, end to end
def test_the_summary_command_reads_the_ledger_and_runs_nothing(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.jsonl")
    kit = kit_fingerprint(ROOT / "conformance")
    ledger.append(entry("variant:compat_null_is_absent", 11, "fail", kit=kit))
    ledger.append(entry("variant:compat_null_is_absent", 12, kit=OTHER_KIT))
    result = summary_command(ledger, "--seeds", "3")
    assert result.returncode == 0, result.stderr
    assert "NOT variant:compat_null_is_absent: 1 seeds, 1 runs" in result.stdout
    assert "(ledger lines of other kits: 1)" in result.stdout
    assert f"lines per other kit (--kit PREFIX sums one up): {OTHER_KIT[:16]} 1" in result.stdout
    assert "targets short of 3 seeds: 1" in result.stdout
    assert list(tmp_path.iterdir()) == [ledger.path]  # no report, no snapshot: nothing ran
    other = summary_command(ledger, "--seeds", "1", "--kit", OTHER_KIT[:8])
    assert "ok  variant:compat_null_is_absent: 1 seeds, 1 runs" in other.stdout
    assert "targets short of 1 seeds: 0" in other.stdout
    unknown = summary_command(ledger, "--kit", "c")
    assert unknown.returncode != 0
    assert unknown.stderr.strip() == "seed_sweep: --kit c names 0 kits of the ledger"


def test_the_wall_clock_is_the_stretches_the_runs_took_not_their_sum() -> None:
    # Two runs at once from 14:00:00, one more after them, then a new sitting an hour later.
    entries = [
        entry("variant:a", 1, wall_s=60.0, finished_at="2026-12-03T14:01:00+00:00"),
        entry("variant:b", 1, wall_s=70.0, finished_at="2026-12-03T13:00:50-01:00"),
        entry("variant:a", 2, wall_s=40.0, finished_at="2026-12-03T14:01:40"),  # no offset: UTC
        entry("variant:a", 3, wall_s=30.0, finished_at="2026-12-03T15:30:30+00:00"),
        entry("variant:b", 3, wall_s=30.0, finished_at="not a time"),
        # A run far longer than the gap, begun in the first stretch: the stretch takes it in.
        entry("variant:b", 2, wall_s=1500.0, finished_at="2026-12-03T14:25:00+00:00"),
    ]
    summary = summarize(entries, KIT, ["variant:a", "variant:b"], wanted=3)
    spans = [(s.start.astimezone(UTC).strftime("%H:%M:%S"),
              s.end.astimezone(UTC).strftime("%H:%M:%S"), s.runs)
             for s in summary.stretches]  # fmt: skip
    assert spans == [("13:59:40", "14:25:00", 4), ("15:30:00", "15:30:30", 1)]
    assert summary.wall_s == 60.0 + 70.0 + 40.0 + 30.0 + 30.0 + 1500.0  # unlike the clock
    clock = next(line for line in summary_lines(summary) if line.startswith("wall clock"))
    assert clock.startswith("wall clock: 0 h 26 min in 2 stretches (2026-12-03 13:59 UTC to")


# --- a run's CPU time --------------------------------------------------------------------------


def test_a_runs_cpu_time_and_exit_status_are_its_own() -> None:
    busy = "sum(i * i for i in range(2_000_000)); raise SystemExit(3)"
    process = subprocess.Popen([sys.executable, "-c", busy])
    status, cpu = _wait_with_cpu(process, 120)
    assert status == 3 and process.returncode == 3
    assert cpu > 0


def test_a_run_past_its_timeout_is_killed() -> None:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    with pytest.raises(subprocess.TimeoutExpired):
        _wait_with_cpu(process, 0.1)
    assert process.returncode is not None


# --- holding a sweep ---------------------------------------------------------------------------


def test_a_held_sweep_lets_the_run_in_flight_end_and_starts_none_until_let_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pause a sweep offers instead of SIGSTOP, which froze two runs mid-request on
    2026-12-03: their requests timed out once let go, and two passing (target, seed) runs were
    recorded inconclusive."""
    monkeypatch.setattr(Hold, "POLL_S", 0.01)
    hold = tmp_path / "hold"
    in_flight, finish = threading.Event(), threading.Event()
    started: list[int] = []

    def run(target: str, seed: int, workdir: Path, kit: Path | None, live: LiveRuns) -> Outcome:
        started.append(seed)
        if seed == 1:
            in_flight.set()
            assert finish.wait(30)
        return Outcome(target, seed, "pass", (), "", 0.0, workdir)

    recorded: list[Outcome] = []
    runs = [("variant:a", seed) for seed in (1, 2, 3)]
    sweeping = threading.Thread(
        target=sweep, args=(runs, 1, tmp_path, None, recorded.append, hold, run), daemon=True
    )
    sweeping.start()
    try:
        assert in_flight.wait(30)
        hold.touch()
        finish.set()
        deadline = time.monotonic() + 30
        while not recorded and time.monotonic() < deadline:
            time.sleep(0.01)
        assert [o.seed for o in recorded] == [1], "the run in flight did not end"
        time.sleep(0.3)  # thirty polls of the hold file
        assert started == [1], "a run started while the hold file existed"
    finally:
        hold.unlink(missing_ok=True)
    sweeping.join(30)
    assert not sweeping.is_alive()
    assert started == [1, 2, 3]
    assert [o.seed for o in recorded] == [1, 2, 3]


def test_an_inconclusive_run_says_why_in_place_of_a_failure() -> None:
    # The words of the run that SIGSTOP froze (summary.json's incomplete_reason and no_answer).
    summary = {
        "incomplete_reason": "the target left some requests without an answer: 1 test could"
        " not finish",
        "no_answer": {
            "test": "test_phones.py::test_phone_field_refuses_generated_non_e164_numbers",
            "error": "POST http://127.0.0.1:1/api/v1/messages: timed out (WriteTimeout)",
        },
    }
    why = _why_incomplete(summary)
    assert why.startswith("the target left some requests without an answer")
    assert "test_phone_field_refuses_generated_non_e164_numbers: POST" in why
    assert _why_incomplete({"incomplete_reason": None, "no_answer": None}) == ""


def test_ctrl_c_stops_the_sweep_without_waiting_for_the_runs_not_begun(tmp_path: Path) -> None:
    release = threading.Event()
    started: list[int] = []

    def run(target: str, seed: int, workdir: Path, kit: Path | None, live: LiveRuns) -> Outcome:
        started.append(seed)
        if seed > 1:
            release.wait(30)  # a long run: the sweep must not wait for the queue behind it
        return Outcome(target, seed, "pass", (), "", 0.0, workdir)

    def interrupt(outcome: Outcome) -> None:
        raise KeyboardInterrupt

    raised: list[BaseException] = []

    def sweeping() -> None:
        try:
            runs = [("variant:a", seed) for seed in (1, 2, 3, 4)]
            sweep(runs, 1, tmp_path, None, interrupt, run=run)
        except BaseException as error:  # the KeyboardInterrupt under test
            raised.append(error)

    thread = threading.Thread(target=sweeping, daemon=True)
    thread.start()
    thread.join(10)
    stopped_in_time = not thread.is_alive()
    release.set()
    thread.join(30)
    assert stopped_in_time, "Ctrl-C waited for the queued runs"
    assert len(raised) == 1 and isinstance(raised[0], KeyboardInterrupt)
    time.sleep(0.2)
    assert set(started) <= {1, 2}, "a run began after Ctrl-C"


def test_ctrl_c_lets_a_held_run_go_without_starting_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Hold, "POLL_S", 0.01)
    hold = tmp_path / "hold"
    holding = Hold(hold)
    hold.touch()
    waited: list[bool] = []
    thread = threading.Thread(target=lambda: waited.append(holding.wait()), daemon=True)
    thread.start()
    try:
        time.sleep(0.1)
        holding.stop()
        thread.join(10)
    finally:
        hold.unlink()
    assert waited == [False], "a held run outlived the sweep, or was told to start"


def test_a_stopped_sweep_ends_the_runs_in_flight_and_starts_none() -> None:
    live = LiveRuns()
    process = live.start([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live.stop()
        assert process.wait(30) == -15, "the run in flight was not told to end"
        with pytest.raises(RuntimeError, match="the sweep was stopped"):
            live.start([sys.executable, "-c", "pass"])
    finally:
        process.kill()
        process.wait()
