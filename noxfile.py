"""Developer sessions. Every test session goes through one helper so pytest always runs strict."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "spec", "tests"]
nox.options.default_venv_backend = "venv"

PYTEST_STRICT = ("--strict-markers", "--strict-config")


def _install(session: nox.Session) -> None:
    session.install("-e", ".[dev]")


def _pytest(session: nox.Session, *args: str) -> None:
    _install(session)
    session.run("pytest", *PYTEST_STRICT, *args, *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """The kit's own tests."""
    _pytest(session, "tests")


@nox.session
def quick(session: nox.Session) -> None:
    """The developer loop: the kit's own tests without the slow end-to-end runs and corpus."""
    _pytest(session, "tests", "-m", "not slow")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and format) and mypy --strict on the package."""
    _install(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session
def spec(session: nox.Session) -> None:
    """The contract: openapi-spec-validator, examples, citations, and Spectral's oas ruleset."""
    _pytest(session, "tests/test_contract.py", "tests/test_requirements_catalogue.py")
    session.run(
        "npx",
        "--yes",
        "@stoplight/spectral-cli@6",
        "lint",
        "--fail-severity",
        "error",
        "--ruleset",
        ".spectral.yaml",
        "openapi/tgo-business.yaml",
        external=True,
    )


@nox.session(name="bench_mock")
def bench_mock(session: nox.Session) -> None:
    """Requests per second of the mock (send + lookup, concurrency 16), beside Prism's mock."""
    _install(session)
    session.run("python", "benchmarks/mock_throughput.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Wall time, requests sent and requests per requirement, quick and full, against the mock."""
    _install(session)
    session.run("python", "benchmarks/suite_runtime.py", *session.posargs)


@nox.session
def mutants(session: nox.Session) -> None:
    """Kill rate, false alarms and time to first failure on the mutant corpus, beside a plain
    schemathesis run of the contract as the baseline."""
    _install(session)
    session.run("python", "tests/mutants/score.py", *session.posargs)


@nox.session(name="bench_progress")
def bench_progress(session: nox.Session) -> None:
    """A rate-limited full run against the served mock: each progress line's estimate of the
    time left beside the truth."""
    _install(session)
    session.run("python", "benchmarks/progress_estimate.py", *session.posargs)


@nox.session(name="seed_sweep")
def seed_sweep(session: nox.Session) -> None:
    """The tests the seed reaches (the generated cases), full profile, under 20 seeds per target
    (every compatible variant, every blind server): each (target, seed) that does not pass, with
    its replay command. Options: --seeds, --seed-list, --targets, --jobs (--help). A whole sweep
    takes several sittings: --ledger FILE appends each finished run to FILE, --resume tops every
    target up to --seeds seeds at the current kit, --summary reports what FILE holds:
    `nox -s seed_sweep -- --ledger sweep.jsonl --resume`, then `... --summary`. --hold-file F
    pauses it while F exists (the runs in flight end; none starts)."""
    _install(session)
    session.run("python", "benchmarks/seed_sweep.py", *session.posargs)


@nox.session(name="request_counts")
def request_counts(session: nox.Session) -> None:
    """Refresh conformance/data/requests-per-test.json (the plan's requests per test, which the
    progress estimate reads) after changing what the suite sends."""
    _install(session)
    session.run("python", "benchmarks/request_counts.py", *session.posargs)
