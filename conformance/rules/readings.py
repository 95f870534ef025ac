"""The readings register (openapi/readings.yaml) as typed objects.

Each entry is a point where the docs are silent, vague or contradict themselves: the doc words
involved, the behaviours the suite accepts, the requirements whose checks consult it, and the
mock variants that take its other readings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from conformance.rules.contract import read_yaml, readings_path


class RegisterError(ValueError):
    """The register is malformed; the message names the entry at fault."""


@dataclass(frozen=True)
class DocWords:
    doc: str
    words: str


@dataclass(frozen=True)
class Reading:
    id: str
    topic: str
    question: str
    docs: tuple[DocWords, ...]
    accepted: tuple[str, ...]
    rejected: tuple[str, ...]
    checks: tuple[str, ...]
    mock: str
    variants: tuple[str, ...]
    decided: str | None = None
    contradiction: bool = False  # two pages contradict each other here: either passes the MUST
    audit: str | None = None  # how the entry was decided under that rule


@dataclass(frozen=True)
class Register:
    readings: tuple[Reading, ...]

    def by_id(self, reading_id: str) -> Reading:
        for reading in self.readings:
            if reading.id == reading_id:
                return reading
        raise KeyError(f"the readings register has no entry {reading_id!r}")

    def ids(self) -> tuple[str, ...]:
        return tuple(reading.id for reading in self.readings)

    def __len__(self) -> int:
        return len(self.readings)


@cache
def load_register(path: Path | None = None) -> Register:
    """Read and validate the register (default: the one shipped with the kit)."""
    path = readings_path() if path is None else path
    data = read_yaml(path)
    entries = data.get("readings") if isinstance(data, Mapping) else None
    if not isinstance(entries, list) or not entries:
        raise RegisterError(f"{path}: `readings` must be a non-empty list")
    readings = tuple(_reading(entry, f"{path}: entry #{n + 1}") for n, entry in enumerate(entries))
    ids = [r.id for r in readings]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RegisterError(f"{path}: duplicate entries {duplicates}")
    return Register(readings)


def _reading(entry: Any, where: str) -> Reading:
    if not isinstance(entry, Mapping):
        raise RegisterError(f"{where}: must be a mapping")
    try:
        return Reading(
            id=str(entry["id"]),
            topic=str(entry["topic"]),
            question=str(entry["question"]),
            docs=tuple(DocWords(str(d["doc"]), str(d["words"])) for d in entry["docs"]),
            accepted=tuple(str(a) for a in entry["accepted"]),
            rejected=tuple(str(r) for r in entry.get("rejected") or ()),
            checks=tuple(str(c) for c in entry["checks"]),
            mock=str(entry["mock"]),
            variants=tuple(str(v) for v in entry.get("variants") or ()),
            decided=None if entry.get("decided") is None else str(entry["decided"]),
            contradiction=bool(entry.get("contradiction", False)),
            audit=None if entry.get("audit") is None else str(entry["audit"]),
        )
    except (KeyError, TypeError) as error:
        raise RegisterError(f"{where} ({entry.get('id', '?')}): missing or bad {error}") from None
