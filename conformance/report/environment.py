"""The run's configuration as a report shows it: names of what was configured, never values
that could identify an account (keys are secrets; phones and ids stay in the config file)."""

from __future__ import annotations

from dataclasses import dataclass

from conformance.config import TargetConfig


@dataclass(frozen=True)
class Setting:
    name: str
    value: str


def environment(
    config: TargetConfig, *, profile: str, target: str, seed: int | None = None
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
        Setting("rate_limit", f"{config.rate_limit:g} requests/s" if config.rate_limit else "none"),
        Setting("timeout", f"{config.timeout:g} s"),
        Setting("keys", ", ".join(config.keys) or "none"),
        Setting("senders", ", ".join(senders) or "none"),
        Setting("recipients", ", ".join(config.recipients) or "none"),
        Setting(
            "other_account",
            "configured (a key and an active sender)" if config.other_account else "none",
        ),
    ]
    return rows
