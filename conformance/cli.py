"""The tgo-conformance command: a thin layer over the runner and the mock."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from conformance.profiles import PROFILES, SEED_MAX
from conformance.run.orchestrate import EXIT_INTERRUPTED, EXIT_USAGE, RunError, RunOptions, execute

# Commands imported only when used: a run against a real target never loads the mock.
LAZY_COMMANDS = {"mock": "conformance.mock.command:mock"}


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

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS:
            module, _, name = LAZY_COMMANDS[cmd_name].partition(":")
            command: click.Command = getattr(importlib.import_module(module), name)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Conformance kit for the TGO Business API."""


def _config_option(without: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return click.option(
        "--config",
        "config",
        type=click.Path(path_type=Path),
        default=None,
        help=f"Target config (TOML). Without it: {without}.",
    )


PROFILE_OPTION = click.option(
    "--profile", type=click.Choice(sorted(PROFILES)), default="full", show_default=True
)


def _check_config(config: Path | None) -> None:
    if config is not None and not config.is_file():
        _usage_error(f"--config {config}: {'not a file' if config.exists() else 'no such file'}")


@main.command()
@_config_option("the TGO_* environment")
@PROFILE_OPTION
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def plan(config: Path | None, profile: str, output: str) -> None:
    """Say what a run will send, and to whom, without sending anything."""
    _check_config(config)
    from conformance.run.dry_run import make_plan
    from conformance.run.plan import render_text

    try:
        made = make_plan(config, profile)
    except RunError as error:
        _usage_error(str(error))
    if output == "json":
        click.echo(json.dumps(made.to_json(), indent=2))
    else:
        click.echo(render_text(made))


@main.command(context_settings={"ignore_unknown_options": True})
@_config_option("the TGO_* environment when TGO_BASE_URL is set, else the embedded mock")
@click.option(
    "--report-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where to write the reports (default: a new folder under reports/).",
)
@PROFILE_OPTION
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
    "--waivers",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Known deviations, accepted until a date (TOML, docs/target-config.md): waived.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0, max=SEED_MAX),
    default=None,
    help="Replay the generated cases of an earlier run (its seed is in summary.json).",
)
@click.option(
    "--progress-every",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds between progress lines (default: 5 on a terminal, 60 in a log; 0: none).",
)
@click.option(
    "--name",
    default="",
    help="The run's name in summary.json and matrices (default: the base URL).",
)
@click.option(
    "--mock-variant",
    "mock_variants",
    default="",
    hidden=True,
    help="Comma-separated variants of the embedded mock (conformance/mock/variants.py).",
)
@click.option(
    "--contract",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    hidden=True,
    help="Read the rules from this contract instead of the shipped one (the kit's own tests).",
)
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def run(
    config: Path | None,
    report_dir: Path | None,
    profile: str,
    max_duration: float | None,
    baseline: Path | None,
    waivers: Path | None,
    seed: int | None,
    progress_every: float | None,
    name: str,
    mock_variants: str,
    contract: Path | None,
    pytest_args: tuple[str, ...],
) -> None:
    """Run the conformance suite against a target. Arguments after -- go to pytest."""
    _check_config(config)
    options = RunOptions(
        config=config,
        report_dir=report_dir,
        profile=profile,
        max_duration=max_duration,
        baseline=baseline,
        seed=seed,
        waivers=waivers,
        progress_every=progress_every,
        pytest_args=pytest_args,
        mock_variants=tuple(name for name in mock_variants.split(",") if name),
        contract=contract,
        name=name,
    )
    try:
        outcome = execute(options)
    except RunError as error:
        _usage_error(str(error))
    for line in outcome.lines:
        click.echo(line)
    sys.exit(outcome.exit_status)


@main.command()
@click.argument(
    "report_dirs", metavar="REPORT_DIR...", nargs=-1, required=True, type=click.Path(path_type=Path)
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="Where to write matrix.html and matrix.json.",
)
def matrix(report_dirs: tuple[Path, ...], out: Path) -> None:
    """Targets x requirements from several runs' summary.json: matrix.html and matrix.json."""
    from conformance.report.matrix import MatrixError, build_matrix, read_runs
    from conformance.report.matrix_render import write_matrix

    try:
        built = build_matrix(read_runs(report_dirs), out)
    except MatrixError as error:
        _usage_error(str(error))
    try:
        written = write_matrix(built, out)
    except OSError as error:
        _usage_error(f"--out {out}: cannot write there ({error.strerror or error})")
    for path in written:
        click.echo(f"wrote {path}")


@main.command()
@click.argument("earlier_dir", metavar="REPORT_DIR", type=click.Path(path_type=Path))
@click.option(
    "--report-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where to write the new reports (default: beside REPORT_DIR, as REPORT_DIR-rerun).",
)
def rerun(earlier_dir: Path, report_dir: Path | None) -> None:
    """Run the failed and inconclusive tests of an earlier run again: same target, same seed,
    the earlier report as baseline."""
    from conformance.run.rerun import read_earlier_run, rerun_options
    from conformance.run.rerun import rerun as rerun_tests

    try:
        earlier = read_earlier_run(earlier_dir)
        if not earlier.tests:
            click.echo(f"rerun: {earlier_dir} has no failed or inconclusive test: nothing to run")
            sys.exit(0)
        options = rerun_options(earlier, report_dir)
        click.echo(earlier.describe())
        outcome = rerun_tests(earlier, options)
    except RunError as error:
        _usage_error(str(error))
    for line in outcome.lines:
        click.echo(line)
    sys.exit(outcome.exit_status)


def _usage_error(message: str) -> None:
    click.echo(f"tgo-conformance: {message}", err=True)
    sys.exit(EXIT_USAGE)
