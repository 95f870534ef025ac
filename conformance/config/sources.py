"""Where the entries of a target config come from: the TOML file, then the TGO_* variables.

Entries are collected as they were written (`Entry`: value, and the label that names it in
messages); `validation.py` turns them into a `TargetConfig`. Unknown names are errors here,
in the file and in the environment alike: a typo such as `message_send` would otherwise turn
every test that needs the entry into not_tested, and the operator would never learn why.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from conformance.config.model import (
    OTHER_ACCOUNT_FIELDS,
    RECIPIENT_NAMES,
    SENDER_FIELDS,
    TLS_FIELDS,
    ConfigError,
    key_names,
    sender_states,
)
from conformance.redact import Redactor, mask_key

SCALARS: Final[tuple[str, ...]] = ("base_url", "timeout", "rate_limit", "allow_writes", "proxy")
TABLES: Final[tuple[str, ...]] = ("keys", "senders", "recipients", "other_account", "tls")
# Something that looks like a TGO key, wherever it was put by mistake.
_KEY_LIKE: Final = re.compile(r"trk_[A-Za-z0-9]{8,}")


@dataclass
class Entry:
    value: object
    label: str  # how messages name it: "file.toml: [keys].full" or "TGO_KEY_FULL"
    from_env: bool = False


def type_name(value: object) -> str:
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


def did_you_mean(name: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"({hint}known: {', '.join(known)})"


def _show_name(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else repr(name)


def read_toml(path: Path) -> dict[str, object]:
    """The parsed file; ConfigError (one line, with the line number) when it is not TOML."""
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


class Entries:
    """The entries of one target config, the environment's over the file's."""

    def __init__(self, source: str) -> None:
        self.source = source
        # Entry paths: "base_url", "keys.full", "senders.active.phone", "recipients.reachable",
        # "other_account.key", "other_account.sender.id".
        self.entries: dict[str, Entry] = {}
        # Sender states (and "other_account") named in the file or the environment, even
        # with no field given: where a missing id-or-phone error points.
        self.sender_labels: dict[str, str] = {}

    def get(self, path: str) -> Entry | None:
        return self.entries.get(path)

    def __contains__(self, path: str) -> bool:
        return path in self.entries

    def scrub(self, text: str) -> str:
        """`text` with every key given so far, and anything shaped like a key, masked."""
        keys = Redactor(
            e.value
            for p, e in self.entries.items()
            if (p.startswith("keys.") or p == "other_account.key") and isinstance(e.value, str)
        )
        # Whole key-like words first, so that one sharing a piece with a configured key still
        # shows as its own mask rather than as pieces.
        return keys.text(_KEY_LIKE.sub(lambda m: mask_key(m.group(0)), text))

    def fail(self, message: str) -> ConfigError:
        return ConfigError(f"{self.source}: {message}")

    # --- the file ---

    def take_file(self, raw: Mapping[str, object]) -> None:
        known = SCALARS + TABLES
        for name, value in raw.items():
            if name in SCALARS:
                self.entries[name] = Entry(value, f"{self.source}: {name}")
            elif name in TABLES:
                if not isinstance(value, dict):
                    raise self.fail(f"[{name}] must be a table, not {type_name(value)}")
                if name == "other_account":
                    self._take_other_account(value)
                elif name == "tls":
                    self._take_tls(value)
                else:
                    self._take_table(name, value)
            else:
                raise self.fail(f"unknown entry {_show_name(name)} {did_you_mean(name, known)}")

    def _take_table(self, table: str, values: Mapping[str, object]) -> None:
        # New names arrive with new suite versions, so an older suite rejecting a newer name
        # is the honest answer.
        known = {"keys": key_names(), "senders": sender_states(), "recipients": RECIPIENT_NAMES}
        for name, value in values.items():
            where = f"[{table}].{_show_name(name)}"
            if name not in known[table]:
                raise self.fail(f"unknown entry {where} {did_you_mean(name, known[table])}")
            if table != "senders":
                self.entries[f"{table}.{name}"] = Entry(value, f"{self.source}: {where}")
                continue
            self._take_sender(f"senders.{name}", where, value)

    def _take_sender(self, path: str, where: str, value: object) -> None:
        if not isinstance(value, dict):
            raise self.fail(
                f'{where} must be a table like {{ id = 12, phone = "+201001187188" }}, '
                f"not {type_name(value)}"
            )
        self.sender_labels[path] = f"{self.source}: {where}"
        for sub, sub_value in value.items():
            if sub not in SENDER_FIELDS:
                raise self.fail(
                    f"unknown entry {where}.{_show_name(sub)} (expected id and/or phone)"
                )
            self.entries[f"{path}.{sub}"] = Entry(sub_value, f"{self.source}: {where}.{sub}")

    def _take_other_account(self, values: Mapping[str, object]) -> None:
        for name, value in values.items():
            where = f"[other_account].{_show_name(name)}"
            if name not in OTHER_ACCOUNT_FIELDS:
                raise self.fail(f"unknown entry {where} {did_you_mean(name, OTHER_ACCOUNT_FIELDS)}")
            if name == "key":
                self.entries["other_account.key"] = Entry(value, f"{self.source}: {where}")
            else:
                self._take_sender("other_account.sender", where, value)

    def _take_tls(self, values: Mapping[str, object]) -> None:
        for name, value in values.items():
            where = f"[tls].{_show_name(name)}"
            if name not in TLS_FIELDS:
                raise self.fail(f"unknown entry {where} {did_you_mean(name, TLS_FIELDS)}")
            self.entries[f"tls.{name}"] = Entry(value, f"{self.source}: {where}")

    # --- the environment ---

    def take_env(self, env: Mapping[str, str]) -> None:
        for var in sorted(env):
            value = env[var].strip()
            if not var.startswith("TGO_") or not value:
                continue
            path = self._env_path(var)
            if path is None:
                continue
            self.entries[path] = Entry(value, var, from_env=True)
            if path.startswith(("senders.", "other_account.sender.")):
                self.sender_labels.setdefault(path.rsplit(".", 1)[0], var)

    def _env_path(self, var: str) -> str | None:
        """The entry path a TGO_* variable sets; None for variables that are not entries."""
        for name in SCALARS:
            if var == f"TGO_{name.upper()}":
                return name
        if var.startswith("TGO_TLS_"):
            name = var.removeprefix("TGO_TLS_")
            return self._env_name(var, "tls", name, TLS_FIELDS)
        if var.startswith("TGO_KEY_"):
            return self._env_name(var, "keys", var.removeprefix("TGO_KEY_"), key_names())
        if var.startswith("TGO_RECIPIENT_"):
            name = var.removeprefix("TGO_RECIPIENT_")
            return self._env_name(var, "recipients", name, RECIPIENT_NAMES)
        if var == "TGO_OTHER_ACCOUNT_KEY":
            return "other_account.key"
        if var.startswith("TGO_OTHER_ACCOUNT_SENDER_"):
            sender_field = var.removeprefix("TGO_OTHER_ACCOUNT_SENDER_").lower()
            if sender_field not in SENDER_FIELDS:
                raise ConfigError(
                    f"{var}: unknown variable (expected TGO_OTHER_ACCOUNT_KEY, "
                    f"TGO_OTHER_ACCOUNT_SENDER_ID or TGO_OTHER_ACCOUNT_SENDER_PHONE)"
                )
            return f"other_account.sender.{sender_field}"
        if var.startswith("TGO_SENDER_"):
            rest = var.removeprefix("TGO_SENDER_")
            state, _, sender_field = rest.rpartition("_")
            if sender_field.lower() not in SENDER_FIELDS:
                raise ConfigError(
                    f"{var}: unknown variable (expected TGO_SENDER_<STATE>_ID "
                    f"or TGO_SENDER_<STATE>_PHONE)"
                )
            path = self._env_name(var, "senders", state, sender_states())
            return f"{path}.{sender_field.lower()}"
        # Other TGO_* variables (TGO_API_KEY for curl, TGO_MOCK_CONTROL) are not entries.
        return None

    @staticmethod
    def _env_name(var: str, table: str, name: str, known: tuple[str, ...]) -> str:
        if name.lower() not in known:
            hint = did_you_mean(name.lower(), known)
            raise ConfigError(f"{var}: unknown variable, no such [{table}] entry {hint}")
        return f"{table}.{name.lower()}"
