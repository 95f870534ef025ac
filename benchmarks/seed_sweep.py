"""`nox -s seed_sweep`: the generated cases under many seeds, against every compatible variant
of the mock and every blind server; every (target, seed) whose verdict is not pass, with the
requirement it failed and the command that replays it.

The seed reaches only the tests that draw from Hypothesis (schemathesis' cases, the stateful
sequences and the @given property tests): SEEDED_TESTS. Every other test sends the same requests
whatever the seed (tests/test_seed_independence.py shows which tests draw from it), so the sweep
runs those tests alone, under the full profile, once per (target, seed).

A whole sweep (about 60 targets x 20 seeds) takes more than one sitting: --ledger FILE appends
each finished (target, seed) to a JSON Lines file as it ends, --resume skips what the ledger
holds for the same kit (its fingerprint: benchmarks/sweep_ledger.py) and tops each target up to
--seeds distinct seeds, and --summary reads the ledger and runs nothing. Stop a sweep with
Ctrl-C, or with SIGTERM to its process group (a run in flight is a child of the sweep; a sweep
started in the background ignores SIGINT, as its shell told it to): the runs in flight are
lost, every finished one is in the ledger. To lend the machine to something else
for a while, start the sweep with --hold-file PATH and create PATH: the runs in flight end, no
run starts until PATH is removed (stopping the processes with SIGSTOP instead freezes a run
mid-request, and its request times out when it is let go: an inconclusive verdict).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "blind")]
from harness import SERVERS, blind_server, missing_toolchain  # noqa: E402
from sweep_control import Hold, LiveRuns  # noqa: E402
from sweep_ledger import (  # noqa: E402
    Entry,
    Ledger,
    kit_commit,
    kit_fingerprint,
    now,
    plan_runs,
    seeds_done,
    summarize,
    summary_lines,
)

from conformance.mock.variants import broken, compatible  # noqa: E402
from conformance.profiles import SEED_MAX  # noqa: E402

# The suite's tests that draw from the run's seed (Hypothesis): test function names.
SEEDED_TESTS = (
    "test_generated_requests_get_responses_the_docs_allow",
    "test_linked_sequences_get_answers_the_docs_allow",
    "test_phone_field_refuses_generated_non_e164_numbers",
    "test_lookup_of_generated_e164_numbers_is_a_reading",
    "test_voice_accepts_generated_durations_within_the_bounds",
    "test_voice_refuses_generated_invalid_durations",
)
SEEDED_SELECTION = " or ".join(SEEDED_TESTS)
RUN_TIMEOUT_S = 900


@dataclass(frozen=True)
class Outcome:
    target: str
    seed: int
    verdict: str  # summary.json's verdict, or why there is none
    failed: tuple[str, ...]  # the MUST requirements that failed
    # the first MUST failure's message as the report words it; with no MUST failure, why the
    # run is not judged (an inconclusive run names no requirement)
    first_failure: str
    wall_s: float
    report_dir: Path
    warnings: tuple[str, ...] = ()  # the SHOULD requirements that failed (the verdict holds)
    cpu_s: float | None = None  # the run's process and its children (not a blind server)

    def replay(self) -> str:
        """The command that runs this (target, seed) again."""
        return replay_command(self.target, self.seed)


def replay_command(target: str, seed: int) -> str:
    kind, name = target.split(":", 1)
    if kind == "variant":
        return shlex.join(
            [
                "tgo-conformance",
                "run",
                "--profile",
                "full",
                "--seed",
                str(seed),
                "--mock-variant",
                name,
                "--",
                "-k",
                SEEDED_SELECTION,
            ]
        )
    # A blind server is started with a fresh world each time: the sweep itself does that.
    return shlex.join(
        ["python", "benchmarks/seed_sweep.py", "--targets", target, "--seed-list", str(seed)]
    )


def all_targets() -> list[str]:
    return [f"variant:{name}" for name in compatible()] + [f"blind:{name}" for name in SERVERS]


def _run_args(seed: int, report_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "conformance",
        "run",
        "--profile",
        "full",
        "--seed",
        str(seed),
        "--report-dir",
        str(report_dir),
        "--progress-every",
        "0",
    ]


@contextmanager
def _target_args(target: str, workdir: Path) -> Iterator[list[str]]:
    kind, name = target.split(":", 1)
    if kind == "variant":
        yield ["--mock-variant", name]
        return
    with blind_server(name, workdir) as server:
        yield ["--config", str(server.config_path)]


def snapshot_kit(workdir: Path) -> Path:
    """A copy of the package (its contract included) that every run of the sweep imports: a
    sweep takes long, and edits made to the working tree meanwhile must not mix into it."""
    root = Path(tempfile.mkdtemp(prefix="kit-", dir=workdir))
    shutil.copytree(
        ROOT / "conformance", root / "conformance", ignore=shutil.ignore_patterns("__pycache__")
    )
    return root


def run_one(
    target: str,
    seed: int,
    workdir: Path,
    kit: Path | None = None,
    live: LiveRuns | None = None,
) -> Outcome:
    """The seeded tests, full profile, against one target under one seed (a fresh server)."""
    # A run tried again (--resume after a target that did not start) gets a folder of its own.
    directory = Path(tempfile.mkdtemp(prefix=f"{target.replace(':', '-')}-{seed}-", dir=workdir))
    report_dir = directory / "report"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGO_")}
    if kit is not None:
        env["PYTHONPATH"] = str(kit)
    console = directory / "console.txt"
    started = time.monotonic()
    try:
        with _target_args(target, directory) as target_args, console.open("wb") as output:
            command = [*_run_args(seed, report_dir), *target_args, "--", "-k", SEEDED_SELECTION]
            live = live or LiveRuns()
            process = live.start(
                command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=directory
            )
            try:
                returncode, cpu = _wait_with_cpu(process, RUN_TIMEOUT_S)
            finally:
                live.ended(process)
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        return Outcome(target, seed, f"no run: {error}", (), "", 0.0, report_dir)
    wall = time.monotonic() - started
    summary_path = report_dir / "summary.json"
    if not summary_path.is_file():
        text = console.read_text(encoding="utf-8", errors="replace")
        last = text.strip().splitlines()[-1:] or ["no output"]
        return Outcome(
            target,
            seed,
            f"no summary (exit {returncode})",
            (),
            last[0],
            wall,
            report_dir,
            cpu_s=cpu,
        )
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    failed = [r for r in summary["requirements"] if r["status"] == "failed"]
    must = [r for r in failed if r["level"] == "MUST"]
    first = next((f for r in must for f in r.get("failures", [])), None)
    return Outcome(
        target,
        seed,
        str(summary["verdict"]),
        tuple(r["id"] for r in must),
        (_first_failure(first) if first else _why_incomplete(summary))[:400],
        wall,
        report_dir,
        tuple(r["id"] for r in failed if r["level"] != "MUST"),
        cpu,
    )


def _first_failure(failure: dict[str, Any]) -> str:
    return f"{failure.get('test', '?')}: {failure.get('message', '')}"


def _why_incomplete(summary: dict[str, Any]) -> str:
    """Why a run without a MUST failure is not judged: what the report says cut it short, and
    the first request left without an answer (an inconclusive run names no requirement)."""
    reason = str(summary.get("incomplete_reason") or "")
    # no_answer: an object or null; its test and error are written by report/model.py NoAnswer
    if unanswered := summary.get("no_answer"):
        reason += f" ({unanswered.get('test', '?')}: {unanswered.get('error', '')})"
    return reason


def _wait_with_cpu(process: subprocess.Popen[bytes], timeout_s: float) -> tuple[int, float]:
    """The exit status and the CPU seconds of a process and the children it waited for
    (os.wait4's rusage: subprocess keeps none); killed, TimeoutExpired, after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, usage.ru_utime + usage.ru_stime
        if time.monotonic() > deadline:
            process.kill()
            os.wait4(process.pid, 0)
            process.returncode = -9
            raise subprocess.TimeoutExpired(process.args, timeout_s)
        time.sleep(0.2)


def sweep(
    runs: list[tuple[str, int]],
    jobs: int,
    workdir: Path,
    kit: Path | None,
    finished: Callable[[Outcome], None] = lambda outcome: None,
    hold: Path | None = None,
    run: Callable[[str, int, Path, Path | None, LiveRuns], Outcome] = run_one,
) -> list[Outcome]:
    """Every (target, seed) of `runs`, in that order (seed by seed, so that a sweep cut short
    has covered every target alike), `jobs` at once; `finished` hears of each as it ends.
    While the file `hold` exists no run starts, and the runs in flight go on to their end."""
    outcomes: list[Outcome] = []
    holding = Hold(hold)
    live = LiveRuns()

    def held_run(target: str, seed: int) -> Outcome:
        if not holding.wait():
            return Outcome(target, seed, "no run: the sweep was stopped", (), "", 0.0, workdir)
        return run(target, seed, workdir, kit, live)

    pool = ThreadPoolExecutor(max_workers=jobs)
    futures: list[Future[Outcome]] = []
    try:
        futures.extend(pool.submit(held_run, target, seed) for target, seed in runs)
        for future in as_completed(futures):
            outcome = future.result()
            finished(outcome)
            outcomes.append(outcome)
            mark = "ok  " if outcome.verdict == "pass" else "NOT "
            failed = f" failed {','.join(outcome.failed)}" if outcome.failed else ""
            warned = f" warnings {','.join(outcome.warnings)}" if outcome.warnings else ""
            print(
                f"{mark}{outcome.target} seed {outcome.seed}: {outcome.verdict}{failed}{warned}"
                f" ({outcome.wall_s:.0f} s) [{len(outcomes)}/{len(futures)}]",
                flush=True,
            )
    except BaseException:
        # Ctrl-C: the runs not begun are dropped and those in flight ended. Leaving the pool's
        # `with` would wait for every queued run, hours of them, before the sweep let go.
        holding.stop()
        pool.shutdown(wait=False, cancel_futures=True)
        live.stop()
        raise
    pool.shutdown()
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seeds",
        type=int,
        default=20,
        help="seeds per target (default 20; with --resume, distinct seeds each target reaches)",
    )
    parser.add_argument(
        "--seed-list", default="", help="comma-separated seeds instead of --seeds random ones"
    )
    parser.add_argument(
        "--targets",
        default="",
        help="comma-separated variant:NAME or blind:NAME (default: every compatible variant"
        " and every blind server); --list shows them",
    )
    parser.add_argument("--list", action="store_true", help="list the targets and stop")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="runs at once (default: cores)"
    )
    parser.add_argument("--workdir", type=Path, default=None, help="keep the reports here")
    parser.add_argument("--json", type=Path, default=None, help="write the outcomes here")
    parser.add_argument(
        "--ledger",
        type=Path,
        default=None,
        help="JSON Lines file: each finished (target, seed) is appended as it ends",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="with --ledger: skip the (target, seed) runs it holds for this kit, and give each"
        " target only the new seeds it needs to reach --seeds",
    )
    parser.add_argument(
        "--summary",
        action="store_true",
        help="with --ledger: what it holds for the working tree's kit, per target; runs nothing",
    )
    parser.add_argument(
        "--kit",
        default="",
        help="with --summary: the kit fingerprint (or its start) to sum up, instead of the"
        " working tree's",
    )
    parser.add_argument(
        "--hold-file",
        type=Path,
        default=None,
        help="while this file exists no run starts (the runs in flight finish): a pause that"
        " leaves the machine idle without freezing a run mid-request",
    )
    parser.add_argument(
        "--live-tree",
        action="store_true",
        help="import the working tree as it changes instead of a copy taken at the start",
    )
    args = parser.parse_args()
    if args.list:
        print("\n".join(all_targets()))
        return
    if (args.resume or args.summary) and args.ledger is None:
        sys.exit("seed_sweep: --resume and --summary read a ledger: give --ledger FILE")
    targets = [t for t in args.targets.split(",") if t] or all_targets()
    # A broken variant is no target of the sweep, but one shows what a finding looks like.
    known = {*all_targets(), *(f"variant:{name}" for name in broken())}
    unknown = sorted(set(targets) - known)
    if unknown:
        sys.exit(f"seed_sweep: unknown targets {', '.join(unknown)} (--list shows them)")
    ledger = Ledger(args.ledger) if args.ledger else None
    if ledger is not None and args.summary:
        entries, unreadable = ledger.read()
        summed = kit_fingerprint(ROOT / "conformance")
        if args.kit:
            chosen = {e.kit for e in entries if e.kit.startswith(args.kit)}
            if len(chosen) != 1:
                sys.exit(f"seed_sweep: --kit {args.kit} names {len(chosen)} kits of the ledger")
            summed = chosen.pop()
        summary = summarize(entries, summed, targets, args.seeds)
        print("\n".join(summary_lines(summary)))
        if unreadable:
            print(f"unreadable ledger lines (cut short by a kill): {unreadable}")
        return
    for target in [t for t in targets if t.startswith("blind:")]:
        if why := missing_toolchain(target.split(":", 1)[1]):
            print(f"skipped: {why}")
            targets.remove(target)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="seed-sweep-"))
    workdir.mkdir(parents=True, exist_ok=True)
    kit = None if args.live_tree else snapshot_kit(workdir)
    fingerprint = kit_fingerprint((kit or ROOT) / "conformance")
    done = seeds_done(ledger.read()[0], fingerprint) if ledger and args.resume else {}
    runs = plan_runs(
        targets,
        done,
        seed_list=[int(s) for s in args.seed_list.split(",") if s] if args.seed_list else None,
        wanted=args.seeds,
        draw=lambda: secrets.randbelow(SEED_MAX + 1),
    )
    seeds = list(dict.fromkeys(seed for _, seed in runs))
    print(f"the seed reaches only these tests, and the sweep runs only them: {SEEDED_SELECTION}")
    print(f"targets ({len(targets)}): {', '.join(targets)}")
    print(f"seeds ({len(seeds)}): {', '.join(map(str, seeds))}")
    if args.resume:
        held = sum(len(done.get(t, ())) for t in targets)
        print(f"resumed: the ledger holds {held} runs of this kit; {len(runs)} runs to do")
    print(f"jobs: {args.jobs}; reports under {workdir}; kit: {kit or ROOT}", flush=True)
    print(f"kit fingerprint: {fingerprint}", flush=True)
    commit = kit_commit(ROOT)

    def record(outcome: Outcome) -> None:
        if ledger is not None:
            ledger.append(
                Entry(
                    target=outcome.target,
                    seed=outcome.seed,
                    verdict=outcome.verdict,
                    failed=outcome.failed,
                    warnings=outcome.warnings,
                    first_failure=outcome.first_failure,
                    wall_s=round(outcome.wall_s, 1),
                    cpu_s=None if outcome.cpu_s is None else round(outcome.cpu_s, 1),
                    replay=outcome.replay(),
                    kit=fingerprint,
                    kit_commit=commit,
                    finished_at=now(),
                )
            )

    started = time.monotonic()
    outcomes = sweep(runs, max(1, args.jobs), workdir, kit, record, args.hold_file)
    wall = time.monotonic() - started
    bad = sorted((o for o in outcomes if o.verdict != "pass"), key=lambda o: (o.target, o.seed))
    print(
        f"\n{len(targets)} targets x {len(seeds)} seeds = {len(outcomes)} runs"
        f" in {wall:.0f} s wall ({args.jobs} jobs): {len(bad)} not pass"
    )
    for outcome in bad:
        print(f"\nNOT PASS {outcome.target} seed {outcome.seed}: {outcome.verdict}")
        print(f"  failed: {', '.join(outcome.failed) or '-'}")
        if outcome.first_failure:
            label = "first failure" if outcome.failed else "why"
            print(f"  {label}: {outcome.first_failure}")
        print(f"  report: {outcome.report_dir}")
        print(f"  replay: {outcome.replay()}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "targets": targets,
                    "seeds": seeds,
                    "jobs": args.jobs,
                    "wall_s": round(wall, 1),
                    "kit": fingerprint,
                    "runs": [
                        {
                            "target": o.target,
                            "seed": o.seed,
                            "verdict": o.verdict,
                            "failed": list(o.failed),
                            "warnings": list(o.warnings),
                            "first_failure": o.first_failure,
                            "wall_s": round(o.wall_s, 1),
                            "cpu_s": None if o.cpu_s is None else round(o.cpu_s, 1),
                            "replay": o.replay(),
                        }
                        for o in sorted(outcomes, key=lambda o: (o.target, o.seed))
                    ],
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
