"""Scores the suite on the mutant corpus; also the `nox -s mutants` benchmark when run as a script.

Each variant is the embedded mock with one variant of the table on (or every compatible one);
each run is the runner's `execute()`, as `tgo-conformance run --profile quick` calls it, in
this process: the corpus is a hundred runs, and starting an interpreter for each would double
its cost. A broken variant runs only the tests that declare the requirement it breaks.
"""

from __future__ import annotations

import contextlib
import io
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "blind")]
from corpus import ALL_COMPATIBLE, BROKEN, COMPATIBLE  # noqa: E402
from runs import run_in_process  # noqa: E402

from conformance.rules.catalogue import load_catalogue  # noqa: E402
from conformance.run.orchestrate import RunError, RunOptions, execute  # noqa: E402


@dataclass(frozen=True)
class VariantRun:
    variants: str
    exit_status: int
    verdict: str | None
    failed: frozenset[str]  # requirements with status failed (MUST or not)
    failed_must: frozenset[str]
    first_failure_s: float | None
    duration_s: float
    requests: int
    output: str

    def killed_for(self, requirement: str) -> bool:
        return requirement in self.failed


def run_variant(
    variants: str, workdir: Path, *, requirement: str | None = None, profile: str = "quick"
) -> VariantRun:
    """A run against the embedded mock with these variants; with a requirement, only the tests
    that declare it."""
    report_dir = workdir / variants.replace(",", "+")[:80]
    selection = ("--tgo-requirements", requirement) if requirement else ()
    options = RunOptions(
        profile=profile,
        report_dir=report_dir,
        mock_variants=tuple(variants.split(",")),
        # pytest's unraisable-exception plugin collects garbage five times at the end of every
        # session (0.19 s of a 1.2 s variant run); the corpus judges verdicts, not warnings.
        pytest_args=("-p", "no:cacheprovider", "-p", "no:unraisableexception", *selection),
    )
    started = time.monotonic()
    try:
        # The caller's TGO_* variables set aside (the embedded mock is the target), and the
        # summary.json the run wrote checked against the published schema.
        run = run_in_process(options)
    except RunError as error:
        return VariantRun(variants, 2, None, frozenset(), frozenset(), None, 0.0, 0, str(error))
    outcome = run.outcome
    report = outcome.report
    text = run.output[-4000:]
    if report is None:
        return VariantRun(
            variants, outcome.exit_status, None, frozenset(), frozenset(), None, 0.0, 0, text
        )
    return VariantRun(
        variants,
        outcome.exit_status,
        report.verdict,
        frozenset(r.requirement.id for r in report.requirements if r.status == "failed"),
        frozenset(r.requirement.id for r in report.failed_must),
        report.first_failure_s,
        time.monotonic() - started,
        report.requests_sent,
        text,
    )


def run_all(workdir: Path) -> dict[str, VariantRun]:
    """Every broken variant with its requirement's tests, every compatible one whole."""
    runs = [run_variant(name, workdir, requirement=req) for name, req in BROKEN.items()]
    runs += [run_variant(name, workdir) for name in (*COMPATIBLE, ALL_COMPATIBLE)]
    return {run.variants: run for run in runs}


def testable_must() -> frozenset[str]:
    """The MUST requirements the suite tests (level MUST, no `not_tested`)."""
    return frozenset(
        r.id for r in load_catalogue().requirements if r.level == "MUST" and not r.not_tested
    )


def must_with_killing_variant(runs: dict[str, VariantRun]) -> tuple[frozenset[str], int]:
    """The testable MUST requirements some broken variant naming them is killed for (its run
    failed that requirement), and how many testable MUST requirements there are."""
    must = testable_must()
    covered = frozenset(
        req for name, req in BROKEN.items() if req in must and runs[name].killed_for(req)
    )
    return covered, len(must)


SECTION = re.compile(r"^_+ ((?:GET|POST) \S+) _+$")
FAILURE = re.compile(r"^- (ST\d+) (.+)$")


def schemathesis_failures(variants: str, workdir: Path) -> frozenset[tuple[str, str]] | None:
    """(operation, failure) pairs a plain `schemathesis run` of the contract (all checks, fixed
    seed) reports against the variant; None when the variant would not start."""
    config_path = workdir / f"st-{variants.replace(',', '+')[:60] or 'faithful'}.toml"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "conformance",
            "mock",
            "--port",
            "0",
            "--write-config",
            str(config_path),
            "--variant",
            variants,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not (config_path.exists() and config_path.read_text()):
            if server.poll() is not None or time.monotonic() > deadline:
                return None
            time.sleep(0.05)
        import tomllib

        config = tomllib.loads(config_path.read_text())
        spec = Path(__file__).resolve().parents[2] / "openapi" / "tgo-business.yaml"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                str(spec),
                "--url",
                config["base_url"],
                "-H",
                f"X-Api-Key: {config['keys']['full']}",
                "--max-examples",
                "20",
                "--seed",
                "1",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            cwd=workdir,
        )
        found: set[tuple[str, str]] = set()
        operation = "?"
        for line in result.stdout.splitlines():
            if match := SECTION.match(line.strip()):
                operation = match.group(1)
            elif match := FAILURE.match(line.strip()):
                found.add((operation, f"{match.group(1)} {match.group(2)}"))
        return frozenset(found)
    finally:
        server.terminate()
        server.wait(timeout=10)


def blind_false_alarms(workdir: Path) -> dict[str, list[str]]:
    """Each blind server (tests/blind/) and the MUST requirements a quick run failed on it."""
    from harness import SERVERS, blind_server

    found: dict[str, list[str]] = {}
    for name in SERVERS:
        directory = workdir / f"blind-{name}"
        directory.mkdir()
        with blind_server(name, directory) as server:
            outcome = _quiet_execute(
                RunOptions(
                    config=server.config_path,
                    profile="quick",
                    report_dir=directory / "report",
                    pytest_args=("-p", "no:cacheprovider"),
                )
            )
        report = outcome.report
        # Each with its first failure, so a false alarm seen once keeps its evidence.
        found[name] = (
            []
            if report is None
            else [
                f"{r.requirement.id} ({r.failures[0].test}: {r.failures[0].message[:300]})"
                if r.failures
                else r.requirement.id
                for r in report.failed_must
            ]
        )
    return found


def _quiet_execute(options: RunOptions):  # type: ignore[no-untyped-def]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return execute(options)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="tgo-mutants-") as tmp:
        workdir = Path(tmp)
        started = time.monotonic()
        runs = run_all(workdir)
        wall = time.monotonic() - started
        killed = [f for f, req in BROKEN.items() if runs[f].killed_for(req)]
        missed = sorted(set(BROKEN) - set(killed))
        false_alarms = [f for f in (*COMPATIBLE, ALL_COMPATIBLE) if runs[f].verdict != "pass"]
        firsts = [runs[f].first_failure_s for f in killed if runs[f].first_failure_s is not None]
        print(
            f"variants: {len(BROKEN)} broken, {len(COMPATIBLE) + 1} compatible; wall {wall:.0f} s"
        )
        print(f"kill rate: {len(killed)}/{len(BROKEN)} = {100 * len(killed) / len(BROKEN):.1f} %")
        if missed:
            print(f"survivors: {', '.join(missed)}")
        covered, must_total = must_with_killing_variant(runs)
        print(f"MUST requirements with a killing variant: {len(covered)}/{must_total}")
        uncovered = sorted(testable_must() - covered)
        if uncovered:
            print(f"MUST requirements without one: {', '.join(uncovered)}")
        compatible_runs = len(COMPATIBLE) + 1
        print(
            f"false alarms: {len(false_alarms)} of {compatible_runs} compatible variants "
            f"{false_alarms or ''}".rstrip()
        )
        blind = blind_false_alarms(workdir)
        print(
            f"false alarms: {sum(1 for failed in blind.values() if failed)} of {len(blind)} "
            f"blind servers {({k: v for k, v in blind.items() if v}) or ''}".rstrip()
        )
        if firsts:
            print(f"median time to first failure: {statistics.median(firsts):.1f} s")
        print(
            f"median run time: {statistics.median(r.duration_s for r in runs.values()):.1f} s; "
            f"median requests per run: {statistics.median(r.requests for r in runs.values()):.0f}"
        )
        if "--no-baseline" in sys.argv:
            return
        # The plain run reports failures against the faithful mock too (it takes a multipart
        # body naming both senders for valid), so a variant counts as caught only when the run
        # reports a failure it does not report against the faithful mock.
        faithful = schemathesis_failures("", workdir) or frozenset()
        print(f"plain schemathesis run against the faithful mock: {sorted(faithful)}")

        def caught(variants: str) -> bool:
            found = schemathesis_failures(variants, workdir)
            return found is not None and bool(found - faithful)

        st_killed = [f for f in BROKEN if caught(f)]
        st_false = [f for f in (*COMPATIBLE, ALL_COMPATIBLE) if caught(f)]
        print(
            "plain schemathesis run (all checks, 20 examples per operation, seed 1): "
            f"kills {len(st_killed)}/{len(BROKEN)}, false alarms {len(st_false)} {st_false or ''}"
        )
        ratio = len(killed) / len(st_killed) if st_killed else float("inf")
        print(f"suite kills {ratio:.1f}x as many variants as the baseline")


if __name__ == "__main__":
    main()
