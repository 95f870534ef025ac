"""From collected entries to a `TargetConfig`: every value checked, every error one line.

Messages name the entry and never show a key: a value is shown only after `Entries.scrub`,
and a key's value never at all.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from conformance.config.connection import check_proxy, check_tls
from conformance.config.model import (
    RECIPIENT_NAMES,
    ConfigError,
    OtherAccount,
    Sender,
    TargetConfig,
    key_names,
    sender_states,
)
from conformance.config.sources import Entries, Entry, read_toml, type_name
from conformance.rules.values import load_rules

# A key in an HTTP header: visible ASCII, no spaces (h11 rejects the rest anyway, with an
# error that would quote the key).
_KEY_CHARS: Final = re.compile(r"[\x21-\x7e]+")
_TRUE: Final = frozenset({"true", "1", "yes"})
_FALSE: Final = frozenset({"false", "0", "no"})


def load_config(path: Path | None, env: Mapping[str, str] = os.environ) -> TargetConfig:
    """Read the target config from `path` (None: from the environment alone) and validate it.

    TGO_* variables override the file entry by entry. An empty variable counts as
    unset (CI systems expand a missing secret to ""); surrounding whitespace is
    dropped (a secret saved with a trailing newline).
    """
    entries = Entries("<env>" if path is None else str(path))
    try:
        if path is not None:
            entries.take_file(read_toml(path))
        entries.take_env(env)
        # Relative [tls] paths: from the config file's folder; from the environment, the
        # current one.
        base_dir = Path.cwd() if path is None else path.absolute().parent
        return _Validator(entries, base_dir).build()
    except ConfigError as exc:
        # Last line of defence: a key given where a name, phone or URL belongs
        # would be quoted by the message that rejects it.
        raise ConfigError(entries.scrub(str(exc))) from None


class _Validator:
    def __init__(self, entries: Entries, base_dir: Path) -> None:
        self.entries = entries
        self.base_dir = base_dir

    def _show(self, value: object) -> str:
        # Scrubbed before it is cut, so the cut cannot leave part of a key behind.
        text = self.entries.scrub(repr(value))
        return text if len(text) <= 80 else text[:77] + "..."

    def build(self) -> TargetConfig:
        has = self.entries.__contains__
        base_url = self._base_url()
        timeout = self._number("timeout", 10.0, minimum=0.0, inclusive=False)
        rate_limit = self._number("rate_limit", 10.0, minimum=0.0, inclusive=True)
        allow_writes = self._allow_writes()
        keys = {n: self._key(f"keys.{n}") for n in key_names() if has(f"keys.{n}")}
        senders = {
            s: self._sender(f"senders.{s}")
            for s in sender_states()
            if f"senders.{s}" in self.entries.sender_labels
        }
        recipients = {
            n: self._phone(f"recipients.{n}") for n in RECIPIENT_NAMES if has(f"recipients.{n}")
        }
        self._require("full" in keys, "[keys].full", 'a key with scope "*"', "TGO_KEY_FULL")
        self._require(
            "active" in senders,
            "[senders].active",
            "a sender number ready to send",
            "TGO_SENDER_ACTIVE_ID / TGO_SENDER_ACTIVE_PHONE",
        )
        self._require(
            "reachable" in recipients,
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
            other_account=self._other_account(keys, senders),
            tls=check_tls(self.entries, self.base_dir),
            proxy=check_proxy(self.entries.get("proxy")),
            source=self.entries.source,
        )

    def _require(self, present: bool, entry: str, what: str, variables: str) -> None:
        if not present:
            raise self.entries.fail(
                f"{entry} is required ({what}); set it in the file or in {variables}"
            )

    def _base_url(self) -> str:
        entry = self.entries.get("base_url")
        if entry is None:
            raise self.entries.fail("base_url is required; set it in the file or in TGO_BASE_URL")
        value = entry.value
        if not isinstance(value, str):
            raise ConfigError(f"{entry.label} must be a string, not {type_name(value)}")
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
            raise ConfigError(f"{entry.label} must be a number, not {type_name(value)}")
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
            raise ConfigError(f"{entry.label} must be true or false, not {type_name(value)}")
        return value

    def _key(self, path: str) -> str:
        entry = self.entries.get(path)
        assert entry is not None
        value = entry.value
        # Never show the value: it is a key (or meant to be one).
        if not isinstance(value, str):
            raise ConfigError(f"{entry.label} must be a string, not {type_name(value)}")
        if not _KEY_CHARS.fullmatch(value):
            raise ConfigError(
                f"{entry.label} is not usable as an X-Api-Key header value (it must be "
                f"non-empty printable ASCII without spaces; value not shown)"
            )
        return value

    def _phone(self, path: str) -> str:
        entry = self.entries.get(path)
        assert entry is not None
        value = entry.value
        if not isinstance(value, str):
            raise ConfigError(f"{entry.label} must be a string, not {type_name(value)}")
        phone = load_rules().phone
        if not phone.matches(value):
            raise ConfigError(
                f"{entry.label} {self._show(value)} is not an E.164 phone number ({phone.hint})"
            )
        return value

    def _sender(self, path: str) -> Sender:
        phone = self._phone(f"{path}.phone") if f"{path}.phone" in self.entries else None
        sender_id = self._sender_id(self.entries.get(f"{path}.id"))
        if sender_id is None and phone is None:
            raise ConfigError(
                f"{self.entries.sender_labels[path]} needs an id or a phone (or both)"
            )
        return Sender(id=sender_id, phone=phone)

    @staticmethod
    def _sender_id(entry: Entry | None) -> int | str | None:
        if entry is None:
            return None
        value = entry.value
        if entry.from_env:
            assert isinstance(value, str)
            # Ids are integers or strings (undocumented); digits mean the integer.
            return int(value) if re.fullmatch(r"-?\d+", value) else value
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ConfigError(
                f"{entry.label} must be an integer or a string, not {type_name(value)}"
            )
        if value == "":
            raise ConfigError(f"{entry.label} must not be empty")
        return value

    def _other_account(
        self, keys: Mapping[str, str], senders: Mapping[str, Sender]
    ) -> OtherAccount | None:
        key_entry = self.entries.get("other_account.key")
        has_sender = "other_account.sender" in self.entries.sender_labels
        if key_entry is None and not has_sender:
            return None
        if key_entry is None or not has_sender:
            missing = "key" if key_entry is None else "sender"
            variables = (
                "TGO_OTHER_ACCOUNT_KEY"
                if missing == "key"
                else "TGO_OTHER_ACCOUNT_SENDER_ID / TGO_OTHER_ACCOUNT_SENDER_PHONE"
            )
            raise self.entries.fail(
                f"[other_account].{missing} is required when [other_account] is given "
                f"(or {variables})"
            )
        key = self._key("other_account.key")
        same_key = next((name for name, value in keys.items() if value == key), None)
        if same_key is not None:
            # Two names for one account prove nothing about isolation.
            raise ConfigError(
                f"{key_entry.label} is the key of [keys].{same_key}: the other account must be "
                f"a different account, with a key of its own (value not shown)"
            )
        sender = self._sender("other_account.sender")
        same_sender = next((name for name, s in senders.items() if s.same_number(sender)), None)
        if same_sender is not None:
            raise ConfigError(
                f"{self.entries.sender_labels['other_account.sender']} names the same sender "
                f"number as [senders].{same_sender}: the other account's sender must be its own"
            )
        return OtherAccount(key=key, sender=sender)
