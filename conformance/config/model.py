"""What the suite knows about one target (docs/target-config.md), and the names of its entries.

The names of [keys] and [senders] come from the rules (one key per scope the contract names,
one sender per status); [recipients] and [other_account] are the config contract's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal
from urllib.parse import urlsplit

from conformance.not_run import MissingEntry, NotRun
from conformance.redact import Redactor, mask_key
from conformance.rules.values import load_rules

__all__ = [
    "OTHER_ACCOUNT_FIELDS",
    "RECIPIENT_NAMES",
    "SENDER_FIELDS",
    "TLS_FIELDS",
    "ConfigError",
    "Kind",
    "OtherAccount",
    "Sender",
    "TargetConfig",
    "TlsFiles",
    "key_names",
    "missing_entry",
    "sender_states",
]

RECIPIENT_NAMES: Final[tuple[str, ...]] = ("reachable", "unreachable", "unverified")
SENDER_FIELDS: Final[tuple[str, ...]] = ("id", "phone")
OTHER_ACCOUNT_FIELDS: Final[tuple[str, ...]] = ("key", "sender")
TLS_FIELDS: Final[tuple[str, ...]] = ("ca_bundle", "client_cert", "client_key")
# The second account's table, and the name its key goes by beside the [keys] entries.
OTHER_ACCOUNT: Final = "other_account"

Kind = Literal["keys", "senders", "recipients", "other_account"]


def key_names() -> tuple[str, ...]:
    """The [keys] entries: full access, one per scope the contract names, revoked."""
    return load_rules().key_names


def sender_states() -> tuple[str, ...]:
    """The [senders] entries: one per sender status the contract names."""
    return load_rules().sender_statuses


class ConfigError(Exception):
    """The target config is unusable; str() is one line naming the entry."""

    exit_status: Final = 2


@dataclass(frozen=True)
class Sender:
    """A sender number of the target in a known state; at least one of id and phone is set."""

    id: int | str | None = None
    phone: str | None = None

    def same_number(self, other: Sender) -> bool:
        """Whether the two name one sender number (the same id or the same phone)."""
        return (self.id is not None and str(self.id) == str(other.id)) or (
            self.phone is not None and self.phone == other.phone
        )


@dataclass(frozen=True)
class OtherAccount:
    """A second account of the same target: its full-access key and one active sender."""

    key: str = field(repr=False)
    sender: Sender

    def __repr__(self) -> str:
        return f"OtherAccount(key={mask_key(self.key)!r}, sender={self.sender!r})"


@dataclass(frozen=True)
class TlsFiles:
    """The [tls] table: PEM files, as absolute paths (relative ones were resolved against the
    config file). Only their names ever reach a report; a key's content never does."""

    ca_bundle: Path | None = None  # the CAs to trust, instead of the default store
    client_cert: Path | None = None  # mutual TLS: the client certificate
    client_key: Path | None = None  # its private key, when not in client_cert

    @property
    def configured(self) -> bool:
        return self.ca_bundle is not None or self.client_cert is not None


def proxy_password(proxy: str | None) -> str | None:
    """The password in a proxy URL (a secret, like the keys), or None."""
    if proxy is None:
        return None
    try:
        return urlsplit(proxy).password or None
    except ValueError:
        return None


def proxy_shown(proxy: str) -> str:
    """A proxy URL as reports show it: without user and password."""
    parts = urlsplit(proxy)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port is not None else ""
    return f"{parts.scheme}://{host}{port}"


@dataclass(frozen=True, kw_only=True)
class TargetConfig:
    """Everything the suite knows about one target."""

    base_url: str
    timeout: float = 10.0
    rate_limit: float = 10.0
    allow_writes: bool = False
    keys: Mapping[str, str] = field(default_factory=dict, repr=False)
    senders: Mapping[str, Sender] = field(default_factory=dict)
    recipients: Mapping[str, str] = field(default_factory=dict)
    other_account: OtherAccount | None = None
    tls: TlsFiles = field(default_factory=TlsFiles)
    # The proxy every request goes through (None: HTTPS_PROXY / NO_PROXY from the environment).
    proxy: str | None = field(default=None, repr=False)
    source: str = "<embedded mock>"

    def __repr__(self) -> str:
        # The generated repr would print every key (pytest shows fixture values).
        masked = {name: mask_key(value) for name, value in self.keys.items()}
        return (
            f"TargetConfig(base_url={self.base_url!r}, timeout={self.timeout!r}, "
            f"rate_limit={self.rate_limit!r}, allow_writes={self.allow_writes!r}, "
            f"keys={masked!r}, senders={dict(self.senders)!r}, "
            f"recipients={dict(self.recipients)!r}, other_account={self.other_account!r}, "
            f"tls={self.tls!r}, proxy={None if self.proxy is None else proxy_shown(self.proxy)!r}, "
            f"source={self.source!r})"
        )

    def key(self, name: str) -> str | None:
        """The key called `name` in [keys], or None when the target config does not give it."""
        _check_name("keys", name, key_names())
        return self.keys.get(name)

    def sender(self, state: str) -> Sender | None:
        """The sender number in `state` from [senders], or None when not given."""
        _check_name("senders", state, sender_states())
        return self.senders.get(state)

    def recipient(self, name: str) -> str | None:
        """The recipient phone called `name` in [recipients], or None when not given."""
        _check_name("recipients", name, RECIPIENT_NAMES)
        return self.recipients.get(name)

    def secrets(self) -> tuple[str, ...]:
        """Every key value, and a proxy's password: what a `Redactor` must hide."""
        other = (self.other_account.key,) if self.other_account is not None else ()
        password = proxy_password(self.proxy)
        return (*self.keys.values(), *other, *((password,) if password else ()))

    def redactor(self) -> Redactor:
        """A `Redactor` hiding this target's keys."""
        return Redactor(self.secrets())

    def missing_reason(self, kind: Kind, name: str) -> str:
        """Why a test needing entry `name` of `kind` is not_tested, naming entry and variable."""
        return self.missing(kind, name).text

    def missing(self, kind: Kind, name: str) -> NotRun:
        """Why a test needing entry `name` of `kind` is not_tested (see `missing_entry`)."""
        return missing_entry(kind, name)


def missing_entry(kind: Kind, name: str) -> NotRun:
    """Why a test needing entry `name` of `kind` is not_tested, naming entry and variable.

    For senders, `name` may be a state ("rejected") or a state and a field
    ("rejected.phone"); for other_account, "" or "key" (the whole table) or "sender.id",
    "sender.phone".
    """
    if kind == "senders":
        state, _, sender_field = name.partition(".")
        _check_name(kind, state, sender_states())
        if sender_field:
            _check_name(kind, sender_field, SENDER_FIELDS)
            variables = sender_variable(state, sender_field)
        else:
            variables = " / ".join(sender_variable(state, f) for f in SENDER_FIELDS)
        return _missing(f"[senders].{name}", variables)
    if kind == "other_account":
        if name.startswith("sender."):
            sender_field = name.removeprefix("sender.")
            _check_name(kind, sender_field, SENDER_FIELDS)
            variable = f"TGO_OTHER_ACCOUNT_SENDER_{sender_field.upper()}"
            return _missing(f"[other_account].{name}", variable)
        entry = MissingEntry(
            "[other_account]", "TGO_OTHER_ACCOUNT_KEY and TGO_OTHER_ACCOUNT_SENDER_ID / _PHONE"
        )
        text = (
            "no [other_account] in the target config (a second account's key and active "
            f"sender; or {entry.variables})"
        )
        return NotRun("missing_entry", text, (entry,))
    _check_name(kind, name, key_names() if kind == "keys" else RECIPIENT_NAMES)
    return _missing(f"[{kind}].{name}", entry_variable(kind, name))


def _missing(entry: str, variables: str) -> NotRun:
    text = f"no {entry} in the target config (or {variables})"
    return NotRun("missing_entry", text, (MissingEntry(entry, variables),))


def _check_name(kind: str, name: str, known: tuple[str, ...]) -> None:
    # A typo in the suite's own code must fail loudly, not turn into not_tested.
    if name not in known:
        raise ValueError(f"{name!r} is not a known [{kind}] entry; known: {', '.join(known)}")


def entry_variable(kind: str, name: str) -> str:
    """The TGO_* variable of a [keys] or [recipients] entry."""
    prefix = {"keys": "TGO_KEY_", "recipients": "TGO_RECIPIENT_"}[kind]
    return prefix + name.upper()


def sender_variable(state: str, sender_field: str) -> str:
    """The TGO_* variable of one field of a [senders] entry."""
    return f"TGO_SENDER_{state.upper()}_{sender_field.upper()}"
