"""The run's configuration as a report shows it: names of what was configured, never values
that could identify an account (keys are secrets; phones and ids stay in the config file)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from conformance.config import TargetConfig
from conformance.config.connection import proxy_in_effect
from conformance.config.model import TlsFiles


@dataclass(frozen=True)
class Setting:
    name: str
    value: str


def tls_in_effect(tls: TlsFiles, env: Mapping[str, str]) -> str:
    """Which CAs the run trusted and which client certificate it showed: file names only."""
    parts = []
    if tls.ca_bundle is not None:
        parts.append(f"CAs from {tls.ca_bundle.name} ([tls].ca_bundle)")
    elif env.get("SSL_CERT_FILE") or env.get("SSL_CERT_DIR"):
        which = "SSL_CERT_FILE" if env.get("SSL_CERT_FILE") else "SSL_CERT_DIR"
        parts.append(f"CAs from {which} in the environment")
    else:
        parts.append("the default CAs (certifi)")
    if tls.client_cert is not None:
        key = f", key {tls.client_key.name}" if tls.client_key is not None else ""
        parts.append(f"client certificate {tls.client_cert.name}{key} ([tls].client_cert)")
    else:
        parts.append("no client certificate")
    return "; ".join(parts)


def environment(
    config: TargetConfig,
    *,
    profile: str,
    target: str,
    seed: int | None = None,
    env: Mapping[str, str] = os.environ,
) -> list[Setting]:
    """Rows of the environment table, in the order a reader checks them."""
    senders = [
        f"{state} ({' and '.join(f for f in ('id', 'phone') if getattr(sender, f) is not None)})"
        for state, sender in config.senders.items()
    ]
    rows = [
        Setting("target", target),
        Setting("config", config.source),
        Setting("profile", profile),
        Setting("seed", "not recorded" if seed is None else str(seed)),
        Setting("allow_writes", "true" if config.allow_writes else "false"),
        Setting(
            "negative cases",
            "each built from a request the target accepted in this run, changed in one property"
            if config.allow_writes
            else "built from requests the suite could not send (allow_writes = false): a "
            "refusal's reason is not confirmed",
        ),
        Setting("rate_limit", f"{config.rate_limit:g} requests/s" if config.rate_limit else "none"),
        Setting("timeout", f"{config.timeout:g} s"),
        Setting("keys", ", ".join(config.keys) or "none"),
        Setting("senders", ", ".join(senders) or "none"),
        Setting("recipients", ", ".join(config.recipients) or "none"),
        Setting(
            "other_account",
            "configured (a key and an active sender)" if config.other_account else "none",
        ),
        Setting(
            "tls",
            tls_in_effect(config.tls, env)
            if config.base_url.lower().startswith("https:") or config.tls.configured
            else "none (http)",
        ),
        Setting("proxy", proxy_in_effect(config.proxy, config.base_url, env)),
    ]
    return rows
