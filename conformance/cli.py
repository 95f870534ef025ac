"""The tgo-conformance command: a thin layer over the runner and the mock."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from conformance.mock.command import mock
from conformance.profiles import PROFILES
from conformance.run.orchestrate import EXIT_INTERRUPTED, EXIT_USAGE, RunError, RunOptions, execute

# One line per failed requirement after the verdict, each cut to this many characters.
FAILURE_LINE_CHARS = 200


class _OneLineErrors(click.Group):
    """click, except that a usage error is one line (`tgo-conformance: ...`, exit 2) instead of
    the usage text, and Ctrl-C before the suite starts is exit 130 without a traceback."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as error:
            _usage_error(" ".join(error.format_message().split()))
        except click.ClickException as error:
            click.echo(f"tgo-conformance: {error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except (click.Abort, KeyboardInterrupt) as error:
            # click turns KeyboardInterrupt into Abort; a RunInterrupted (SIGTERM) has its status.
            cause = error.__cause__ if isinstance(error, click.Abort) else error
            click.echo("tgo-conformance: interrupted", err=True)
            sys.exit(getattr(cause, "exit_status", None) or EXIT_INTERRUPTED)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Conformance kit for the TGO Business API."""


@main.command(context_settings={"ignore_unknown_options": True})
@click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path),
    default=None,
    help="Target config (TOML). Without it (and without TGO_BASE_URL): the embedded mock.",
)
@click.option(
    "--report-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where to write the reports (default: a new folder under reports/).",
)
@click.option("--profile", type=click.Choice(sorted(PROFILES)), default="full", show_default=True)
@click.option(
    "--max-duration",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Stop the whole run after this many seconds; the report is marked incomplete.",
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="An earlier run's report directory to compare with.",
)
@click.option(
    "--mock-faults",
    default="",
    hidden=True,
    help="Comma-separated fault switches for the embedded mock (the mutant corpus).",
)
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def run(
    config: Path | None,
    report_dir: Path | None,
    profile: str,
    max_duration: float | None,
    baseline: Path | None,
    mock_faults: str,
    pytest_args: tuple[str, ...],
) -> None:
    """Run the conformance suite against a target. Arguments after -- go to pytest."""
    if config is not None and not config.is_file():
        _usage_error(f"--config {config}: {'not a file' if config.exists() else 'no such file'}")
    options = RunOptions(
        config=config,
        report_dir=report_dir,
        profile=profile,
        max_duration=max_duration,
        baseline=baseline,
        pytest_args=pytest_args,
        mock_faults=tuple(name for name in mock_faults.split(",") if name),
    )
    try:
        outcome = execute(options)
    except RunError as error:
        _usage_error(str(error))
    if outcome.summary is None:  # pytest answered by itself (`-- --help`)
        sys.exit(outcome.exit_status)
    summary = outcome.summary
    counts = summary.get("counts", {})
    assert isinstance(counts, dict)
    verdict = str(summary.get("verdict", "?")).upper()
    line = (
        f"tgo-conformance: {verdict} — {counts.get('passed', 0)} passed, "
        f"{counts.get('failed', 0)} failed ({counts.get('warnings', 0)} warnings), "
        f"{counts.get('not_tested', 0)} not tested"
    )
    if not summary.get("complete", True):
        line += f" — INCOMPLETE: {summary.get('incomplete_reason')}"
    click.echo(line)
    for failure in _failure_lines(summary):
        click.echo(failure)
    click.echo(f"report: {outcome.report_dir / 'compliance.html'}")
    sys.exit(outcome.exit_status)


def _failure_lines(summary: dict[str, object]) -> list[str]:
    """One line per failed requirement: ID, level, the first failure's message (from
    summary.json, so already redacted)."""
    lines = []
    requirements = summary.get("requirements", [])
    for req in requirements if isinstance(requirements, list) else []:
        if not isinstance(req, dict) or req.get("status") != "failed":
            continue
        failures = req.get("failures") or [{}]
        first = failures[0] if isinstance(failures[0], dict) else {}
        message = " ".join(str(first.get("message") or "failed").split())
        line = f"  {req.get('id')} ({req.get('level')}) failed: {message}"
        if len(line) > FAILURE_LINE_CHARS:
            line = line[: FAILURE_LINE_CHARS - 1] + "…"
        lines.append(line)
    return lines


def _usage_error(message: str) -> None:
    click.echo(f"tgo-conformance: {message}", err=True)
    sys.exit(EXIT_USAGE)


main.add_command(mock)
