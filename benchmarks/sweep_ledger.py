"""The seed sweep's ledger (benchmarks/seed_sweep.py --ledger): one JSON line per finished
(target, seed), appended as soon as the run ends, so that a sweep spans many sittings and one
killed midway loses only the runs in flight.

A line holds the verdict of one run and the kit that gave it. The kit is named by its
fingerprint (kit_fingerprint): a sha256 over every file of the package conformance/ as the
sweep imports it (its modules, templates and data, and so, through conformance/data, the link
to openapi/, the contract, the catalogue and the readings register the kit loads), each file
named by its path inside the package, plus the versions of the packages that turn a seed into
requests (DRAWING_PACKAGES: the same seed draws other cases under another Hypothesis). Caches
(__pycache__, *.pyc) are left out, and so is all that is no part of the kit: the tests, the
benchmarks, the blind servers' code (they are targets). Two trees with equal files have one
fingerprint, so a snapshot (seed_sweep.snapshot_kit) and the working tree it was copied from
agree. `--resume` and `--summary` count only the lines of the current fingerprint: a verdict
of another kit says nothing of this one.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

# The packages whose version decides which cases a seed draws.
DRAWING_PACKAGES = ("hypothesis", "schemathesis")
SHORT_NAMED = 8  # the targets short of seeds the totals name (the lines above show them all)
STRETCH_GAP_S = 20 * 60  # idle wall clock that ends a stretch (a sitting ended, or a long hold)
_SKIPPED_PARTS = frozenset({"__pycache__"})
_SKIPPED_SUFFIXES = (".pyc", ".pyo")


def kit_fingerprint(package: Path, versions: Mapping[str, str] | None = None) -> str:
    """sha256 of the kit: every file under `package` (the conformance/ folder, links followed)
    by its path inside it and its bytes, and the drawing packages' versions (the installed
    ones unless `versions` says)."""
    digest = hashlib.sha256()
    for path in _kit_files(package):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name, number in sorted((drawing_versions() if versions is None else versions).items()):
        digest.update(f"{name}=={number}\0".encode())
    return digest.hexdigest()


def _kit_files(package: Path) -> list[Path]:
    found: list[Path] = []
    for folder, dirs, files in os.walk(package, followlinks=True):
        dirs[:] = [d for d in dirs if d not in _SKIPPED_PARTS]
        found.extend(Path(folder, f) for f in files if not f.endswith(_SKIPPED_SUFFIXES))
    return sorted(found, key=lambda p: p.relative_to(package).as_posix())


def drawing_versions() -> dict[str, str]:
    """The installed versions of DRAWING_PACKAGES (absent: "none")."""
    found: dict[str, str] = {}
    for name in DRAWING_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "none"
    return found


def kit_commit(repo: Path) -> str | None:
    """The commit the kit's files come from, "-dirty" when conformance/ or openapi/ differ
    from it; None outside a git checkout."""
    try:
        head = _git(repo, "rev-parse", "HEAD")
        changed = _git(repo, "status", "--porcelain", "--", "conformance", "openapi")
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}-dirty" if changed else head


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, timeout=30
    )
    return result.stdout.strip()


@dataclass(frozen=True)
class Entry:
    """One finished (target, seed): a line of the ledger."""

    target: str
    seed: int
    verdict: str  # summary.json's verdict, or why there is none ("no run: ...", "no summary")
    failed: tuple[str, ...]  # the MUST requirements that failed
    warnings: tuple[str, ...]  # the SHOULD requirements that failed (the verdict holds)
    first_failure: str
    wall_s: float
    cpu_s: float | None  # the kit's run and its children (not a blind server's own CPU)
    replay: str
    kit: str  # kit_fingerprint
    kit_commit: str | None
    finished_at: str  # ISO 8601, UTC
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    @property
    def ran(self) -> bool:
        """Whether the kit ran at all: a target that could not be started (a blind server that
        did not come up) or a run cut at the timeout is tried again on --resume."""
        return not self.verdict.startswith("no run")

    def line(self) -> str:
        data = asdict(self)
        data.pop("extra")
        return json.dumps({**data, "failed": list(self.failed), "warnings": list(self.warnings)})

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Entry:
        cpu = data.get("cpu_s")
        return cls(
            target=str(data["target"]),
            seed=int(data["seed"]),
            verdict=str(data["verdict"]),
            failed=tuple(data.get("failed", ())),
            warnings=tuple(data.get("warnings", ())),
            first_failure=str(data.get("first_failure", "")),
            wall_s=float(data.get("wall_s", 0.0)),
            cpu_s=None if cpu is None else float(cpu),
            replay=str(data.get("replay", "")),
            kit=str(data["kit"]),
            kit_commit=data.get("kit_commit"),
            finished_at=str(data.get("finished_at", "")),
        )


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Ledger:
    """A JSON Lines file of Entry, appended to by the sweep's threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, entry: Entry) -> None:
        """Add one line and put it on disk before returning: a kill right after loses nothing."""
        with self._lock, self.path.open("a", encoding="utf-8") as ledger:
            ledger.write(entry.line() + "\n")
            ledger.flush()
            os.fsync(ledger.fileno())

    def read(self) -> tuple[list[Entry], int]:
        """The entries, and how many lines could not be read (a line cut short by a kill)."""
        if not self.path.is_file():
            return [], 0
        entries: list[Entry] = []
        unreadable = 0
        for text in self.path.read_text(encoding="utf-8").splitlines():
            if not text.strip():
                continue
            try:
                entries.append(Entry.from_data(json.loads(text)))
            except (ValueError, KeyError, TypeError):
                unreadable += 1
        return entries, unreadable


def seeds_done(entries: Iterable[Entry], kit: str) -> dict[str, set[int]]:
    """Per target, the seeds the kit `kit` has run (runs that never started left out)."""
    done: dict[str, set[int]] = {}
    for entry in entries:
        if entry.kit == kit and entry.ran:
            done.setdefault(entry.target, set()).add(entry.seed)
    return done


def plan_runs(
    targets: list[str],
    done: Mapping[str, set[int]],
    *,
    seed_list: list[int] | None = None,
    wanted: int = 0,
    draw: Callable[[], int],
) -> list[tuple[str, int]]:
    """The (target, seed) runs still to do, seed by seed (a sweep cut short has covered every
    target alike). With `seed_list`: those seeds on every target, less the runs done. Else
    each target gets new seeds (from `draw`) until it holds `wanted` distinct ones; the
    targets share the new seeds where they can."""
    if seed_list is not None:
        return [
            (target, seed)
            for seed in dict.fromkeys(seed_list)
            for target in targets
            if seed not in done.get(target, set())
        ]
    short = {t: max(0, wanted - len(done.get(t, set()))) for t in targets}
    fresh: list[int] = []  # the new seeds, in the order drawn
    given: dict[str, list[int]] = {t: [] for t in targets}
    for target in targets:
        for seed in fresh:
            if len(given[target]) == short[target]:
                break
            if seed not in done.get(target, set()):
                given[target].append(seed)
        while len(given[target]) < short[target]:
            seed = draw()
            if seed in fresh or seed in done.get(target, set()):
                continue
            fresh.append(seed)
            given[target].append(seed)
    order = {seed: i for i, seed in enumerate(fresh)}
    runs = [(t, s) for t in targets for s in given[t]]
    return sorted(runs, key=lambda run: (order[run[1]], targets.index(run[0])))


@dataclass(frozen=True)
class TargetSummary:
    target: str
    seeds: int  # distinct seeds run at this kit
    runs: int
    not_pass: tuple[Entry, ...]
    median_wall_s: float | None
    unsteady: tuple[int, ...]  # seeds run more than once with different verdicts


@dataclass(frozen=True)
class Stretch:
    """A span of wall clock in which the sweep ran: from the start of its first run to the end
    of its last, with no STRETCH_GAP_S in it when no run ran."""

    start: datetime
    end: datetime
    runs: int

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True)
class Summary:
    kit: str
    wanted: int
    targets: tuple[TargetSummary, ...]
    runs: int
    cpu_s: float
    cpu_runs: int  # the runs that recorded their CPU time
    wall_s: float
    other_kits: Mapping[str, int]  # ledger lines of other fingerprints (not counted), per kit
    not_started: int  # lines at this kit of runs that never started (retried on --resume)
    stretches: tuple[Stretch, ...] = ()  # the wall clock the counted runs took

    @property
    def short(self) -> tuple[TargetSummary, ...]:
        return tuple(t for t in self.targets if t.seeds < self.wanted)

    @property
    def fewest_seeds(self) -> int:
        return min((t.seeds for t in self.targets), default=0)


def summarize(entries: Iterable[Entry], kit: str, targets: list[str], wanted: int) -> Summary:
    """What the ledger holds of the kit `kit`, per target of `targets` and in all."""
    entries = list(entries)
    at_kit = [e for e in entries if e.kit == kit and e.ran]
    rows: list[TargetSummary] = []
    for target in targets:
        own = [e for e in at_kit if e.target == target]
        verdicts: dict[int, set[str]] = {}
        for entry in own:
            verdicts.setdefault(entry.seed, set()).add(entry.verdict)
        rows.append(
            TargetSummary(
                target=target,
                seeds=len(verdicts),
                runs=len(own),
                not_pass=tuple(sorted((e for e in own if not e.passed), key=lambda e: e.seed)),
                median_wall_s=statistics.median(e.wall_s for e in own) if own else None,
                unsteady=tuple(sorted(s for s, v in verdicts.items() if len(v) > 1)),
            )
        )
    counted = [e for e in at_kit if e.target in targets]
    timed = [e.cpu_s for e in counted if e.cpu_s is not None]
    return Summary(
        kit=kit,
        wanted=wanted,
        targets=tuple(rows),
        runs=len(counted),
        cpu_s=sum(timed),
        cpu_runs=len(timed),
        wall_s=sum(e.wall_s for e in counted),
        other_kits=Counter(e.kit for e in entries if e.kit != kit),
        not_started=sum(1 for e in entries if e.kit == kit and not e.ran),
        stretches=stretches(counted),
    )


def stretches(entries: Iterable[Entry]) -> tuple[Stretch, ...]:
    """The wall clock the runs took, as spans (sittings, or the parts of one): a span ends where
    no run ran for STRETCH_GAP_S. The runs run at once, so this, not the sum of their wall
    times, is how long a sweep takes."""
    timed: list[tuple[datetime, datetime]] = []
    for entry in entries:
        try:
            end = datetime.fromisoformat(entry.finished_at)
        except ValueError:
            continue
        if end.tzinfo is None:
            end = end.replace(tzinfo=UTC)  # Entry.finished_at is UTC
        timed.append((end - timedelta(seconds=entry.wall_s), end))
    found: list[Stretch] = []
    for start, end in sorted(timed):
        last = found[-1] if found else None
        if last is not None and (start - last.end).total_seconds() <= STRETCH_GAP_S:
            found[-1] = Stretch(last.start, max(last.end, end), last.runs + 1)
        else:
            found.append(Stretch(start, end, 1))
    return tuple(found)


def summary_lines(summary: Summary) -> list[str]:
    """The summary as the console prints it: a line per target, its non-pass runs with their
    replay commands, then the totals as README quotes them."""
    others = sum(summary.other_kits.values())
    lines = [f"kit {summary.kit[:16]} (ledger lines of other kits: {others})"]
    for row in summary.targets:
        median = "-" if row.median_wall_s is None else f"{row.median_wall_s:.0f} s"
        mark = "NOT " if row.not_pass else "ok  " if row.runs else "-   "
        lines.append(
            f"{mark}{row.target}: {row.seeds} seeds, {row.runs} runs, median {median} wall,"
            f" {len(row.not_pass)} not pass"
            + (
                f", verdicts differ for seeds {', '.join(map(str, row.unsteady))}"
                if row.unsteady
                else ""
            )
        )
        for entry in row.not_pass:
            failed = ",".join(entry.failed) or "-"
            lines.append(f"    seed {entry.seed}: {entry.verdict} (failed {failed})")
            if entry.first_failure:
                label = "first failure" if entry.failed else "why"
                lines.append(f"      {label}: {entry.first_failure}")
            lines.append(f"      replay: {entry.replay}")
    bad = sum(len(row.not_pass) for row in summary.targets)
    cpu = f"{summary.cpu_s / 3600:.2f} CPU hours"
    if summary.cpu_runs < summary.runs:
        cpu += f" (of the {summary.cpu_runs} runs that recorded it)"
    lines.append(
        f"\n{len(summary.targets)} targets x at least {summary.fewest_seeds} seeds:"
        f" {summary.runs} runs, {bad} not pass; {cpu}, {summary.wall_s / 3600:.2f} hours of"
        f" run wall time (summed over the runs)"
    )
    if summary.stretches:
        clock = sum(stretch.seconds for stretch in summary.stretches)
        spans = "; ".join(
            f"{_minute(stretch.start)} to {_minute(stretch.end)}, {stretch.runs} runs"
            for stretch in summary.stretches
        )
        lines.append(
            f"wall clock: {_duration(clock)} in {len(summary.stretches)} stretch"
            f"{'es' if len(summary.stretches) > 1 else ''} ({spans})"
        )
    short = summary.short
    named = ", ".join(f"{t.target} {t.seeds}" for t in short[:SHORT_NAMED])
    more = f", and {len(short) - SHORT_NAMED} more" if len(short) > SHORT_NAMED else ""
    lines.append(
        f"targets short of {summary.wanted} seeds: {len(short)}"
        + (f" ({named}{more})" if short else "")
    )
    if summary.other_kits:
        kits = ", ".join(f"{k[:16]} {n}" for k, n in Counter(summary.other_kits).most_common())
        lines.append(f"lines per other kit (--kit PREFIX sums one up): {kits}")
    if summary.not_started:
        lines.append(f"runs that never started (tried again on --resume): {summary.not_started}")
    return lines


def _minute(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"
