"""Writing a target config: the reader's counterpart (the mock's --write-config, tests)."""

from __future__ import annotations

from typing import Any

import tomli_w

from conformance.config.model import Sender, TargetConfig


def _sender(sender: Sender) -> dict[str, Any]:
    return {k: v for k, v in (("id", sender.id), ("phone", sender.phone)) if v is not None}


def dump_toml(config: TargetConfig, header: str = "") -> str:
    """`config` as a TOML file that load_config reads back to an equal config.

    It holds the keys: write it where only its owner can read it."""
    data: dict[str, Any] = {
        "base_url": config.base_url,
        "timeout": config.timeout,
        "rate_limit": config.rate_limit,
        "allow_writes": config.allow_writes,
        "keys": dict(config.keys),
        "senders": {state: _sender(sender) for state, sender in config.senders.items()},
        "recipients": dict(config.recipients),
    }
    if config.other_account is not None:
        data["other_account"] = {
            "key": config.other_account.key,
            "sender": _sender(config.other_account.sender),
        }
    tls = {
        name: str(path)
        for name, path in (
            ("ca_bundle", config.tls.ca_bundle),
            ("client_cert", config.tls.client_cert),
            ("client_key", config.tls.client_key),
        )
        if path is not None
    }
    if tls:
        data["tls"] = tls
    if config.proxy is not None:
        # A top-level entry: written before the tables.
        data = {"proxy": config.proxy, **data}
    comments = "".join(f"# {line}\n" for line in header.splitlines())
    return comments + tomli_w.dumps(data)
