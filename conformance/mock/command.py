"""`tgo-conformance mock`: serve the seeded mock over HTTP and print its target config."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Sequence
from pathlib import Path

import click
import uvicorn

from conformance.config import dump_toml
from conformance.mock.app import control_from_env, create_app
from conformance.mock.fixtures import CONFIG_HEADER, seed, target_config
from conformance.mock.models import State
from conformance.mock.serving import AnnouncingServer, base_url_for, bind_socket
from conformance.mock.variant import Variant
from conformance.mock.variants import BY_NAME, VARIANTS, UnknownVariant, behaviour_of


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _write_private(path: Path, text: str) -> None:
    # The config holds key secrets: readable by the owner only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


@click.command("mock")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=0,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 = a free port).",
)
@click.option(
    "--write-config",
    "write_config",
    default=None,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the target config here instead of printing it to stdout.",
)
@click.option(
    "--control/--no-control",
    default=None,
    help="Serve the control plane under /_control/ (local use only: no API key "
    "needed). Default: the TGO_MOCK_CONTROL environment variable, else off.",
)
@click.option(
    "--variant",
    "variants",
    multiple=True,
    metavar="NAME",
    help="Serve a variant instead of the faithful mock: a compatible reading another server "
    "may take, or a broken rule (see --list-variants). Repeat it, or separate names with "
    "commas, to combine them.",
)
@click.option(
    "--list-variants",
    is_flag=True,
    help="List the variants, each with the readings register entry it takes or the "
    "requirement it breaks, and exit.",
)
def mock(
    host: str,
    port: int,
    write_config: Path | None,
    control: bool | None,
    variants: tuple[str, ...],
    list_variants: bool,
) -> None:
    """Serve the stateful TGO Business mock, seeded with fixtures, until Ctrl-C.

    Prints a target config (TOML) for it on stdout, or writes it to --write-config FILE once
    the server accepts connections. The seeded keys are random and live as long as the process.
    With --variant it plays another server: one that takes other readings of the docs (400
    instead of 422, paged lists, ...) or one that breaks a rule, for testing API clients.
    """
    if list_variants:
        click.echo(variant_listing(), nl=False)
        return
    names = [name.strip() for value in variants for name in value.split(",") if name.strip()]
    with_control = control_from_env() if control is None else control
    if with_control and not _is_loopback(host):
        click.echo(f"warning: the control plane needs no key and is reachable on {host}", err=True)
    state = State()
    seeded = seed(state)
    try:
        behaviour = behaviour_of(names)
    except UnknownVariant as error:
        raise click.UsageError(
            f"--variant: {error} (tgo-conformance mock --list-variants lists them)"
        ) from None
    for note in overridden(names):
        click.echo(f"note: {note}", err=True)
    app = create_app(state, control=with_control, behaviour=behaviour)
    sock = bind_socket(host, port)
    bound_port = int(sock.getsockname()[1])
    base_url = base_url_for(host, bound_port)
    header = CONFIG_HEADER
    if names:
        header += (
            "\nIt serves the variants " + ", ".join(names) + " (tgo-conformance mock --variant)."
        )
    config_text = dump_toml(target_config(base_url, seeded, behaviour), header)
    playing = f" as {', '.join(names)}" if names else ""

    def announce() -> None:
        if write_config is None:
            click.echo(config_text, nl=False)
        else:
            _write_private(write_config, config_text)
        click.echo(f"TGO mock serving on {base_url}{playing} (Ctrl-C to stop)", err=True)

    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    try:
        AnnouncingServer(config, announce).run(sockets=[sock])
    except KeyboardInterrupt:
        # uvicorn shuts down cleanly, then re-raises the captured Ctrl-C: that is the normal end.
        click.echo("TGO mock stopped", err=True)
    finally:
        sock.close()


def variant_listing(table: Sequence[Variant] = VARIANTS) -> str:
    """The variants table as --list-variants prints it: compatible readings, then broken
    rules, each with the register entry it takes or the requirement it breaks."""
    width = max(len(v.name) for v in table)
    compatible = [v for v in table if v.compatible]
    broken = [v for v in table if not v.compatible]
    lines = [
        f"Compatible readings ({len(compatible)}): another server's reading of what the docs "
        "leave open (openapi/readings.yaml); a conforming client copes with each.",
        *(f"  {v.name:<{width}}  {v.reading or '':<9}  {v.description}" for v in compatible),
        "",
        f"Broken rules ({len(broken)}): each breaks one documented requirement "
        "(openapi/requirements.yaml).",
        *(f"  {v.name:<{width}}  {v.breaks or '':<9}  {v.description}" for v in broken),
    ]
    return "\n".join(lines) + "\n"


def overridden(names: Sequence[str]) -> list[str]:
    """Where a later variant sets a choice an earlier one set too (the later one wins): said,
    so that a combination that cannot hold is not a silent surprise."""
    notes = []
    for position, name in enumerate(names):
        for earlier in names[:position]:
            if earlier == name:
                continue
            shared = sorted(set(BY_NAME[earlier].choices) & set(BY_NAME[name].choices))
            if shared:
                notes.append(f"{name} replaces {earlier}'s {', '.join(shared)}")
    return notes


if __name__ == "__main__":  # pragma: no cover - `python -m conformance.mock.command`
    mock()
