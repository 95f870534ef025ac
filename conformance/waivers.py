"""Waivers: known deviations a team accepted for a while (docs/target-config.md, "Waivers").

A waivers file (TOML) lists `[[waiver]]` entries: the requirement, optionally a pattern of test
ids, the reason, who accepted it and until when. This module reads the file and says which
waiver covers a failure; it sits below the plugin and the report, which both apply the same
`Waivers` (report/waivers.py says what became of each).
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

from conformance.config import ConfigError

FIELDS: Final = {"requirement", "tests", "reason", "accepted_by", "expires"}
REQUIRED: Final = ("requirement", "reason", "accepted_by", "expires")


class WaiverError(ConfigError):
    """A waivers file that cannot be read as the contract says: exit 2, one line."""


@dataclass(frozen=True)
class Waiver:
    requirement: str
    reason: str
    accepted_by: str
    expires: date
    tests: str | None = None  # an fnmatch pattern of test ids; None: every test
    where: str = ""  # "waivers.toml: waiver 2", for messages

    def expired(self, today: date) -> bool:
        return today > self.expires

    def covers(self, requirement: str, test: str) -> bool:
        if requirement != self.requirement:
            return False
        return (
            self.tests is None
            or fnmatch.fnmatchcase(test, self.tests)
            or (
                # A pattern written for a file name ("test_scopes.py::*") matches a node id that
                # carries the package path too.
                fnmatch.fnmatchcase(test.rsplit("/", 1)[-1], self.tests)
            )
        )

    def note(self) -> str:
        return f"{self.reason} (accepted by {self.accepted_by}, until {self.expires.isoformat()})"

    def to_wire(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "reason": self.reason,
            "accepted_by": self.accepted_by,
            "expires": self.expires.isoformat(),
            "tests": self.tests,
            "where": self.where,
        }

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Waiver:
        return cls(
            requirement=data["requirement"],
            reason=data["reason"],
            accepted_by=data["accepted_by"],
            expires=date.fromisoformat(data["expires"]),
            tests=data["tests"],
            where=data["where"],
        )


def today() -> date:
    return datetime.now(UTC).date()


def load_waivers(path: Path) -> tuple[Waiver, ...]:
    """Every waiver of the file; WaiverError (one line) for anything else."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise WaiverError(f"--waivers {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise WaiverError(f"--waivers {path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise WaiverError(f"--waivers {path}: not TOML: {error}") from None
    unknown = sorted(set(data) - {"waiver"})
    if unknown:
        raise WaiverError(f"--waivers {path}: unknown entry {unknown[0]!r} (only [[waiver]])")
    entries = data.get("waiver", [])
    if not isinstance(entries, list):
        raise WaiverError(f"--waivers {path}: waiver must be an array of tables ([[waiver]])")
    return tuple(_waiver(entry, f"{path.name}: waiver {n}") for n, entry in enumerate(entries, 1))


def _waiver(entry: Any, where: str) -> Waiver:
    if not isinstance(entry, dict):
        raise WaiverError(f"{where}: not a table")
    unknown = sorted(set(entry) - FIELDS)
    if unknown:
        raise WaiverError(f"{where}: unknown field {unknown[0]!r}")
    missing = [name for name in REQUIRED if name not in entry]
    if missing:
        raise WaiverError(f"{where}: {missing[0]} is required")
    for name in ("requirement", "reason", "accepted_by", "tests"):
        value = entry.get(name)
        if name in entry and (not isinstance(value, str) or not value.strip()):
            raise WaiverError(f"{where}: {name} must be a non-empty string")
    expires = entry["expires"]
    if isinstance(expires, datetime) or not isinstance(expires, date):
        raise WaiverError(f"{where}: expires must be a TOML date (expires = 2027-01-31)")
    return Waiver(
        requirement=entry["requirement"].strip(),
        reason=entry["reason"].strip(),
        accepted_by=entry["accepted_by"].strip(),
        expires=expires,
        tests=entry.get("tests"),
        where=where,
    )


class Waivers:
    """The waivers of a run, as the suite and the report apply them."""

    def __init__(self, waivers: Iterable[Waiver], known: Iterable[str], when: date) -> None:
        self.all = tuple(waivers)
        self.known = frozenset(known)
        self.when = when
        self.active = tuple(w for w in self.all if w.requirement in known and not w.expired(when))

    def covering(self, requirement: str, test: str) -> Waiver | None:
        return next((w for w in self.active if w.covers(requirement, test)), None)
