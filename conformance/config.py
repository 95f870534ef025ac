"""The target config contract (/work/shared/target-config.md): load, env overrides, validate.

A target is described by one TOML file; every entry can be given or overridden
by a TGO_* environment variable. Anything wrong is a `ConfigError` whose text is
one line naming the entry (and never showing a key).
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal
from urllib.parse import urlsplit

from conformance.http.redact import Redactor, mask_key

__all__ = [
    "KEY_NAMES",
    "RECIPIENT_NAMES",
    "SENDER_STATES",
    "ConfigError",
    "Sender",
    "TargetConfig",
    "load_config",
    "mask_key",
]

KEY_NAMES: Final[tuple[str, ...]] = (
    "full",
    "messages_send",
    "messages_read",
    "contacts_lookup",
    "usage_read",
    "revoked",
)
SENDER_STATES: Final[tuple[str, ...]] = (
    "active",
    "pending_verification",
    "pending_account_verification",
    "rejected",
    "suspended",
)
RECIPIENT_NAMES: Final[tuple[str, ...]] = ("reachable", "unreachable", "unverified")
SENDER_FIELDS: Final[tuple[str, ...]] = ("id", "phone")

_REQUIRED_KEY: Final = "full"
_REQUIRED_SENDER: Final = "active"
_REQUIRED_RECIPIENT: Final = "reachable"

_SCALARS: Final[tuple[str, ...]] = ("base_url", "timeout", "rate_limit", "allow_writes")
_TABLES: Final[tuple[str, ...]] = ("keys", "senders", "recipients")

_E164: Final = re.compile(r"\+[1-9]\d{1,14}")
_E164_HINT: Final = "expected +, then 2 to 15 digits, the first not 0"
# A key in HTTP header: visible ASCII, no spaces (h11 rejects the rest anyway,
# with an error that would quote the key).
_KEY_CHARS: Final = re.compile(r"[\x21-\x7e]+")
# Something that looks like a TGO key, wherever it was put by mistake.
_KEY_LIKE: Final = re.compile(r"trk_[A-Za-z0-9]{8,}")
_TRUE: Final = frozenset({"true", "1", "yes"})
_FALSE: Final = frozenset({"false", "0", "no"})

Kind = Literal["keys", "senders", "recipients"]


class ConfigError(Exception):
    """The target config is unusable; str() is one line naming the entry."""

    exit_status: Final = 2


@dataclass(frozen=True)
class Sender:
    """A sender number of the target in a known state; at least one of id and phone is set."""

    id: int | str | None = None
    phone: str | None = None


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
    source: str = "<embedded mock>"

    def __repr__(self) -> str:
        # The generated repr would print every key (pytest shows fixture values).
        masked = {name: mask_key(value) for name, value in self.keys.items()}
        return (
            f"TargetConfig(base_url={self.base_url!r}, timeout={self.timeout!r}, "
            f"rate_limit={self.rate_limit!r}, allow_writes={self.allow_writes!r}, "
            f"keys={masked!r}, senders={dict(self.senders)!r}, "
            f"recipients={dict(self.recipients)!r}, source={self.source!r})"
        )

    def key(self, name: str) -> str | None:
        """The key called `name` in [keys], or None when the target config does not give it."""
        _check_name("keys", name, KEY_NAMES)
        return self.keys.get(name)

    def sender(self, state: str) -> Sender | None:
        """The sender number in `state` from [senders], or None when not given."""
        _check_name("senders", state, SENDER_STATES)
        return self.senders.get(state)

    def recipient(self, name: str) -> str | None:
        """The recipient phone called `name` in [recipients], or None when not given."""
        _check_name("recipients", name, RECIPIENT_NAMES)
        return self.recipients.get(name)

    def secrets(self) -> tuple[str, ...]:
        """Every key value: what a `Redactor` must hide."""
        return tuple(self.keys.values())

    def redactor(self) -> Redactor:
        """A `Redactor` hiding this target's keys."""
        return Redactor(self.secrets())

    def missing_reason(self, kind: Kind, name: str) -> str:
        """Why a test needing entry `name` of `kind` is not_tested, naming entry and variable.

        For senders, `name` may be a state ("rejected") or a state and a field
        ("rejected.phone").
        """
        if kind == "senders":
            state, _, sender_field = name.partition(".")
            _check_name(kind, state, SENDER_STATES)
            if sender_field:
                _check_name(kind, sender_field, SENDER_FIELDS)
                variables = _sender_var(state, sender_field)
            else:
                variables = " / ".join(_sender_var(state, f) for f in SENDER_FIELDS)
        else:
            _check_name(kind, name, KEY_NAMES if kind == "keys" else RECIPIENT_NAMES)
            variables = _env_var(kind, name)
        return f"no [{kind}].{name} in the target config (or {variables})"


def _check_name(kind: str, name: str, known: tuple[str, ...]) -> None:
    # A typo in the suite's own code must fail loudly, not turn into not_tested.
    if name not in known:
        raise ValueError(f"{name!r} is not a known [{kind}] entry; known: {', '.join(known)}")


def _env_var(kind: str, name: str) -> str:
    prefix = {"keys": "TGO_KEY_", "recipients": "TGO_RECIPIENT_"}[kind]
    return prefix + name.upper()


def _sender_var(state: str, sender_field: str) -> str:
    return f"TGO_SENDER_{state.upper()}_{sender_field.upper()}"


def load_config(path: Path | None, env: Mapping[str, str] = os.environ) -> TargetConfig:
    """Read the target config from `path` (None: from the environment alone) and validate it.

    TGO_* variables override the file entry by entry. An empty variable counts as
    unset (CI systems expand a missing secret to ""); surrounding whitespace is
    dropped (a secret saved with a trailing newline).
    """
    source = "<env>" if path is None else str(path)
    loader = _Loader(source)
    try:
        if path is not None:
            loader.take_file(_read_toml(path))
        loader.take_env(env)
        return loader.build()
    except ConfigError as exc:
        # Last line of defence: a key given where a name, phone or URL belongs
        # would be quoted by the message that rejects it.
        raise ConfigError(loader.scrub(str(exc))) from None


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a config file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends with "(at line L, column C)", or "(at end of
        # document)": then the line is the last one.
        message = str(exc)
        if message.endswith("(at end of document)"):
            lines = len(path.read_bytes().splitlines()) or 1
            message = message[: -len(")")] + f", line {lines})"
        raise ConfigError(f"{path}: invalid TOML: {message}") from None


def _did_you_mean(name: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"({hint}known: {', '.join(known)})"


def _show_name(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else repr(name)


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return "a date/time"


@dataclass
class _Entry:
    value: object
    label: str  # how messages name it: "file.toml: [keys].full" or "TGO_KEY_FULL"
    from_env: bool = False


class _Loader:
    """Collects entries from the file, then the environment, then validates them."""

    def __init__(self, source: str) -> None:
        self.source = source
        # Entry paths: "base_url", "keys.full", "senders.active.phone", "recipients.reachable".
        self.entries: dict[str, _Entry] = {}
        # States named in the file or the environment, even with no field given.
        self.sender_states: dict[str, str] = {}

    def scrub(self, text: str) -> str:
        """`text` with every key given so far, and anything shaped like a key, masked."""
        keys = Redactor(
            e.value
            for p, e in self.entries.items()
            if p.startswith("keys.") and isinstance(e.value, str)
        )
        # Whole key-like words first, so that one sharing a piece with a configured key still
        # shows as its own mask rather than as pieces.
        return keys.text(_KEY_LIKE.sub(lambda m: mask_key(m.group(0)), text))

    def _show(self, value: object) -> str:
        # Scrubbed before it is cut, so the cut cannot leave part of a key behind.
        text = self.scrub(repr(value))
        return text if len(text) <= 80 else text[:77] + "..."

    def _fail(self, message: str) -> ConfigError:
        return ConfigError(f"{self.source}: {message}")

    def take_file(self, raw: Mapping[str, object]) -> None:
        known = _SCALARS + _TABLES
        for name, value in raw.items():
            if name in _SCALARS:
                self.entries[name] = _Entry(value, f"{self.source}: {name}")
            elif name in _TABLES:
                if not isinstance(value, dict):
                    raise self._fail(f"[{name}] must be a table, not {_type_name(value)}")
                self._take_table(name, value)
            else:
                raise self._fail(f"unknown entry {_show_name(name)} {_did_you_mean(name, known)}")

    def _take_table(self, table: str, values: Mapping[str, object]) -> None:
        # Unknown names inside the tables are errors too, not ignored: a typo such
        # as `message_send` would otherwise silently turn every test that needs the
        # entry into not_tested, and the operator would never learn why. New names
        # arrive with new suite versions, so an older suite rejecting a newer name
        # is the honest answer.
        known = {"keys": KEY_NAMES, "senders": SENDER_STATES, "recipients": RECIPIENT_NAMES}[table]
        for name, value in values.items():
            where = f"[{table}].{_show_name(name)}"
            if name not in known:
                raise self._fail(f"unknown entry {where} {_did_you_mean(name, known)}")
            if table != "senders":
                self.entries[f"{table}.{name}"] = _Entry(value, f"{self.source}: {where}")
                continue
            if not isinstance(value, dict):
                raise self._fail(
                    f'{where} must be a table like {{ id = 12, phone = "+201001187188" }}, '
                    f"not {_type_name(value)}"
                )
            self.sender_states[name] = f"{self.source}: {where}"
            for sub, sub_value in value.items():
                if sub not in SENDER_FIELDS:
                    raise self._fail(
                        f"unknown entry {where}.{_show_name(sub)} (expected id and/or phone)"
                    )
                self.entries[f"senders.{name}.{sub}"] = _Entry(
                    sub_value, f"{self.source}: {where}.{sub}"
                )

    def take_env(self, env: Mapping[str, str]) -> None:
        for var in sorted(env):
            value = env[var].strip()
            if not var.startswith("TGO_") or not value:
                continue
            path = self._env_path(var)
            if path is None:
                continue
            self.entries[path] = _Entry(value, var, from_env=True)
            if path.startswith("senders."):
                self.sender_states.setdefault(path.split(".")[1], var)

    def _env_path(self, var: str) -> str | None:
        """The entry path a TGO_* variable sets; None for variables that are not entries."""
        for name in _SCALARS:
            if var == f"TGO_{name.upper()}":
                return name
        if var.startswith("TGO_KEY_"):
            return self._env_name(var, "keys", var.removeprefix("TGO_KEY_"), KEY_NAMES)
        if var.startswith("TGO_RECIPIENT_"):
            name = var.removeprefix("TGO_RECIPIENT_")
            return self._env_name(var, "recipients", name, RECIPIENT_NAMES)
        if var.startswith("TGO_SENDER_"):
            rest = var.removeprefix("TGO_SENDER_")
            state, _, sender_field = rest.rpartition("_")
            if sender_field.lower() not in SENDER_FIELDS:
                raise ConfigError(
                    f"{var}: unknown variable (expected TGO_SENDER_<STATE>_ID "
                    f"or TGO_SENDER_<STATE>_PHONE)"
                )
            path = self._env_name(var, "senders", state, SENDER_STATES)
            return f"{path}.{sender_field.lower()}"
        # Other TGO_* variables (TGO_API_KEY for curl, TGO_RATE_LIMIT_FILE) are not entries.
        return None

    @staticmethod
    def _env_name(var: str, table: str, name: str, known: tuple[str, ...]) -> str:
        # Same reasoning as unknown names in the file's tables: a typo must not pass silently.
        if name.lower() not in known:
            hint = _did_you_mean(name.lower(), known)
            raise ConfigError(f"{var}: unknown variable, no such [{table}] entry {hint}")
        return f"{table}.{name.lower()}"

    def build(self) -> TargetConfig:
        base_url = self._base_url()
        timeout = self._number("timeout", 10.0, minimum=0.0, inclusive=False)
        rate_limit = self._number("rate_limit", 10.0, minimum=0.0, inclusive=True)
        allow_writes = self._allow_writes()
        keys = {n: self._key(n) for n in KEY_NAMES if f"keys.{n}" in self.entries}
        senders = {s: self._sender(s) for s in SENDER_STATES if s in self.sender_states}
        recipients = {
            n: self._phone(f"recipients.{n}")
            for n in RECIPIENT_NAMES
            if f"recipients.{n}" in self.entries
        }
        self._require(_REQUIRED_KEY in keys, "[keys].full", 'a key with scope "*"', "TGO_KEY_FULL")
        self._require(
            _REQUIRED_SENDER in senders,
            "[senders].active",
            "a sender number ready to send",
            "TGO_SENDER_ACTIVE_ID / TGO_SENDER_ACTIVE_PHONE",
        )
        self._require(
            _REQUIRED_RECIPIENT in recipients,
            "[recipients].reachable",
            "a phone that can receive",
            "TGO_RECIPIENT_REACHABLE",
        )
        return TargetConfig(
            base_url=base_url,
            timeout=timeout,
            rate_limit=rate_limit,
            allow_writes=allow_writes,
            keys=keys,
            senders=senders,
            recipients=recipients,
            source=self.source,
        )

    def _require(self, present: bool, entry: str, what: str, variables: str) -> None:
        if not present:
            raise self._fail(f"{entry} is required ({what}); set it in the file or in {variables}")

    def _base_url(self) -> str:
        entry = self.entries.get("base_url")
        if entry is None:
            raise self._fail("base_url is required; set it in the file or in TGO_BASE_URL")
        value = entry.value
        if not isinstance(value, str):
            raise ConfigError(f"{entry.label} must be a string, not {_type_name(value)}")
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError on a port that is not a number
        except ValueError:
            raise ConfigError(f"{entry.label} {self._show(value)} is not a valid URL") from None
        if parts.username is not None or parts.password is not None:
            # Not shown: the credentials are the problem. The URL is printed in
            # every report, so credentials in it would leak there.
            raise ConfigError(
                f"{entry.label} must not contain user:password credentials "
                f"(the URL is shown in reports); give API keys in [keys]"
            )
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                f"{entry.label} {self._show(value)} is not an http(s) URL "
                f"(expected e.g. https://staging.example.com)"
            )
        return value

    def _number(self, name: str, default: float, *, minimum: float, inclusive: bool) -> float:
        entry = self.entries.get(name)
        if entry is None:
            return default
        value = entry.value
        if entry.from_env:
            assert isinstance(value, str)
            try:
                value = float(value)
            except ValueError:
                raise ConfigError(f"{entry.label} {value!r} is not a number") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{entry.label} must be a number, not {_type_name(value)}")
        number = float(value)
        too_small = number < minimum if inclusive else number <= minimum
        if too_small or not math.isfinite(number):
            bound = ">= 0" if inclusive else "> 0"
            raise ConfigError(f"{entry.label} must be a finite number {bound}, not {value!r}")
        return number

    def _allow_writes(self) -> bool:
        entry = self.entries.get("allow_writes")
        if entry is None:
            return False
        value = entry.value
        if entry.from_env:
            assert isinstance(value, str)
            word = value.lower()
            if word in _TRUE | _FALSE:
                return word in _TRUE
            raise ConfigError(f"{entry.label} {value!r} is not one of true/false/1/0/yes/no")
        if not isinstance(value, bool):
            raise ConfigError(f"{entry.label} must be true or false, not {_type_name(value)}")
        return value

    def _key(self, name: str) -> str:
        entry = self.entries[f"keys.{name}"]
        value = entry.value
        # Never show the value: it is a key (or meant to be one).
        if not isinstance(value, str):
            raise ConfigError(f"{entry.label} must be a string, not {_type_name(value)}")
        if not _KEY_CHARS.fullmatch(value):
            raise ConfigError(
                f"{entry.label} is not usable as an X-Api-Key header value (it must be "
                f"non-empty printable ASCII without spaces; value not shown)"
            )
        return value

    def _phone(self, path: str) -> str:
        entry = self.entries[path]
        value = entry.value
        if not isinstance(value, str):
            raise ConfigError(f"{entry.label} must be a string, not {_type_name(value)}")
        if not _E164.fullmatch(value):
            raise ConfigError(
                f"{entry.label} {self._show(value)} is not an E.164 phone number ({_E164_HINT})"
            )
        return value

    def _sender(self, state: str) -> Sender:
        phone = (
            self._phone(f"senders.{state}.phone")
            if f"senders.{state}.phone" in self.entries
            else None
        )
        sender_id = self._sender_id(state)
        if sender_id is None and phone is None:
            raise ConfigError(f"{self.sender_states[state]} needs an id or a phone (or both)")
        return Sender(id=sender_id, phone=phone)

    def _sender_id(self, state: str) -> int | str | None:
        entry = self.entries.get(f"senders.{state}.id")
        if entry is None:
            return None
        value = entry.value
        if entry.from_env:
            assert isinstance(value, str)
            # Ids are integers or strings (undocumented); digits mean the integer.
            return int(value) if re.fullmatch(r"-?\d+", value) else value
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ConfigError(
                f"{entry.label} must be an integer or a string, not {_type_name(value)}"
            )
        if value == "":
            raise ConfigError(f"{entry.label} must not be empty")
        return value
