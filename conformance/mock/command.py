"""`tgo-conformance mock`: serve the seeded mock over HTTP and print its target config."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import click
import uvicorn

from conformance.config import dump_toml
from conformance.mock.app import control_from_env, create_app
from conformance.mock.fixtures import CONFIG_HEADER, seed, target_config
from conformance.mock.models import State
from conformance.mock.serving import AnnouncingServer, base_url_for, bind_socket
from conformance.mock.variants import UnknownVariant, behaviour_of


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
    default="",
    hidden=True,
    help="Comma-separated mock variants (conformance/mock/variants.py): the mutant corpus.",
)
def mock(
    host: str, port: int, write_config: Path | None, control: bool | None, variants: str
) -> None:
    """Serve the stateful TGO Business mock, seeded with fixtures, until Ctrl-C.

    Prints a target config (TOML) for it on stdout, or writes it to --write-config FILE once
    the server accepts connections. The seeded keys are random and live as long as the process.
    """
    with_control = control_from_env() if control is None else control
    if with_control and not _is_loopback(host):
        click.echo(f"warning: the control plane needs no key and is reachable on {host}", err=True)
    state = State()
    seeded = seed(state)
    try:
        behaviour = behaviour_of(name for name in variants.split(",") if name)
    except UnknownVariant as error:
        raise click.UsageError(f"--variant: {error}") from None
    app = create_app(state, control=with_control, behaviour=behaviour)
    sock = bind_socket(host, port)
    bound_port = int(sock.getsockname()[1])
    base_url = base_url_for(host, bound_port)
    config_text = dump_toml(target_config(base_url, seeded, behaviour), CONFIG_HEADER)

    def announce() -> None:
        if write_config is None:
            click.echo(config_text, nl=False)
        else:
            _write_private(write_config, config_text)
        click.echo(f"TGO mock serving on {base_url} (Ctrl-C to stop)", err=True)

    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    try:
        AnnouncingServer(config, announce).run(sockets=[sock])
    except KeyboardInterrupt:
        # uvicorn shuts down cleanly, then re-raises the captured Ctrl-C: that is the normal end.
        click.echo("TGO mock stopped", err=True)
    finally:
        sock.close()


if __name__ == "__main__":  # pragma: no cover - `python -m conformance.mock.command`
    mock()
