"""Serving a blind implementation: a world of fresh keys, the server on loopback, its config.

Each blind server (tests/blind/<name>/) was written from the five doc pages and a short brief
alone (tests/blind/README.md). It is started as its brief says: `serve.py --world WORLD.json
--host 127.0.0.1 --port 0 --ready-file READY.json` (`node serve.js ...` for a Node server, whose
packages `npm ci` installs from its lock file the first time); READY.json gives its base URL and
the id it shows for each sender number, from which the target config is written.
"""

from __future__ import annotations

import json
import secrets
import shutil
import signal
import string
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.config import OtherAccount, Sender, TargetConfig, dump_toml

HERE = Path(__file__).resolve().parent
EXAMPLE_WORLD = HERE / "example-world.json"
ENTRY_POINTS = ("serve.py", "serve.js")
SERVERS = tuple(
    sorted(p.name for p in HERE.iterdir() if any((p / e).is_file() for e in ENTRY_POINTS))
)
START_TIMEOUT_S = 30.0
# Which [keys] entry each of the main account's keys is, by its scopes and revocation.
KEY_ENTRIES = {
    (("*",), False): "full",
    (("messages.send",), False): "messages_send",
    (("messages.read",), False): "messages_read",
    (("contacts.lookup",), False): "contacts_lookup",
    (("usage.read",), False): "usage_read",
    (("*",), True): "revoked",
}
RECIPIENTS = {
    "reachable": "+201010000000",
    "unreachable": "+201010000001",
    "unverified": "+201010000002",
}


def _fresh_key() -> str:
    alphabet = string.ascii_letters + string.digits
    return "trk_" + "".join(secrets.choice(alphabet) for _ in range(32))


def fresh_world() -> dict[str, Any]:
    """The example world with new random keys (no key is ever committed or reused)."""
    world: dict[str, Any] = json.loads(EXAMPLE_WORLD.read_text(encoding="utf-8"))
    for account in world["accounts"].values():
        for key in account["keys"]:
            key["key"] = _fresh_key()
    return world


def target_config(world: dict[str, Any], ready: dict[str, Any]) -> TargetConfig:
    """The target config of a blind server serving `world`, from its READY.json."""
    main, other = world["accounts"]["acme"], world["accounts"]["globex"]
    keys = {
        KEY_ENTRIES[(tuple(k["scopes"]), bool(k.get("revoked")))]: k["key"] for k in main["keys"]
    }
    ids = ready["sender_ids"]
    senders = {
        s["state"]: Sender(id=ids[s["phone"]], phone=s["phone"]) for s in main["sender_numbers"]
    }
    other_sender = other["sender_numbers"][0]
    return TargetConfig(
        base_url=ready["base_url"],
        timeout=10.0,
        rate_limit=0.0,
        allow_writes=True,
        keys=keys,
        senders=senders,
        recipients=RECIPIENTS,
        other_account=OtherAccount(
            key=other["keys"][0]["key"],
            sender=Sender(id=ids[other_sender["phone"]], phone=other_sender["phone"]),
        ),
        source="<blind server>",
    )


@dataclass(frozen=True)
class BlindServer:
    name: str
    config: TargetConfig
    config_path: Path


def missing_toolchain(name: str) -> str | None:
    """Why the blind server `name` cannot start on this machine (None: it can)."""
    if (HERE / name / "serve.py").is_file() or (shutil.which("node") and shutil.which("npm")):
        return None
    return f"{name} is a Node server (serve.js) and this machine has no node and npm"


def server_command(name: str) -> list[str]:
    """How to start the blind server `name`: its serve.py with this interpreter, or its
    serve.js with node once its packages are installed."""
    folder = HERE / name
    if (folder / "serve.py").is_file():
        return [sys.executable, str(folder / "serve.py")]
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise RuntimeError(missing_toolchain(name))
    if not (folder / "node_modules").is_dir():
        subprocess.run(
            [npm, "ci", "--silent", "--no-audit", "--no-fund"],
            cwd=folder,
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=300,
        )
    return [node, str(folder / "serve.js")]


@contextmanager
def blind_server(name: str, directory: Path) -> Iterator[BlindServer]:
    """Start the blind server `name` with a fresh world; stop it when the block ends."""
    world = fresh_world()
    world_path = directory / "world.json"
    world_path.write_text(json.dumps(world), encoding="utf-8")
    ready_path = directory / "ready.json"
    process = subprocess.Popen(
        [
            *server_command(name),
            "--world",
            str(world_path),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--ready-file",
            str(ready_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready_path.is_file():
            if process.poll() is not None or time.monotonic() > deadline:
                error = process.stderr.read() if process.stderr else ""
                raise RuntimeError(f"the blind server {name} did not start: {error[-2000:]}")
            time.sleep(0.05)
        config = target_config(world, json.loads(ready_path.read_text(encoding="utf-8")))
        config_path = directory / "target.toml"
        config_path.write_text(dump_toml(config), encoding="utf-8")
        yield BlindServer(name, config, config_path)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
