"""The requirements catalogue (openapi/requirements.yaml) as typed, validated objects.

Every test, check and report line refers to a requirement by its ID; this module is the one
place that reads the catalogue, so a malformed entry fails here with one clear line instead of
surfacing later as a KeyError deep inside a report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from conformance.rules.contract import catalogue_path, read_yaml

LEVELS = ("MUST", "SHOULD", "MAY")


def level_rank(level: str) -> int:
    """0 for the strictest level: sorts MUST before SHOULD before MAY."""
    return LEVELS.index(level)


AREA_TITLES: dict[str, str] = {
    "auth": "Authentication",
    "scopes": "Scopes",
    "phones": "Phone numbers",
    "messages": "Messages",
    "senders": "Sender numbers",
    "recipients": "Recipients",
    "logs_usage": "Logs and usage",
    "isolation": "Account isolation",
    "errors": "Error payloads",
}

ID_PATTERN = re.compile(r"^[A-Z]+-\d{3}$")


class CatalogueError(ValueError):
    """The catalogue file is malformed; the message is one line naming the entry at fault."""


@dataclass(frozen=True)
class Source:
    """Where a requirement comes from: a docs page and an exact phrase of it."""

    doc: str
    quote: str


@dataclass(frozen=True)
class Contradiction:
    """Another page that says otherwise, and why the suite reads the docs as it does."""

    doc: str
    quote: str
    chosen: str


@dataclass(frozen=True)
class Requirement:
    """One normative statement of the docs, as the suite verifies it."""

    id: str
    level: str
    area: str
    title: str
    source: Source
    operations: tuple[str, ...]
    reading: str | None = None
    contradiction: Contradiction | None = None
    not_tested: str | None = None
    response_of: str | None = None  # the operation whose success answer this requirement owns

    @property
    def area_title(self) -> str:
        return AREA_TITLES[self.area]


@dataclass(frozen=True)
class Catalogue:
    """Every requirement, in file order."""

    requirements: tuple[Requirement, ...]

    def by_id(self, requirement_id: str) -> Requirement:
        """The requirement with this ID; KeyError names the ID when the catalogue lacks it."""
        for requirement in self.requirements:
            if requirement.id == requirement_id:
                return requirement
        raise KeyError(f"the requirements catalogue has no requirement {requirement_id!r}")

    def ids(self) -> tuple[str, ...]:
        """Every requirement ID, in file order."""
        return tuple(requirement.id for requirement in self.requirements)

    def response_requirement(self, operation_id: str) -> str:
        """The requirement a success answer of the operation that breaks its schema fails."""
        for requirement in self.requirements:
            if requirement.response_of == operation_id:
                return requirement.id
        raise KeyError(f"no requirement says response_of: {operation_id}")

    def scope_requirement(self, operation_id: str) -> str:
        """The requirement that the operation needs its documented scope."""
        for requirement in self.requirements:
            if requirement.area == "scopes" and requirement.operations == (operation_id,):
                return requirement.id
        raise KeyError(f"no scopes requirement names only {operation_id}")

    def areas(self) -> tuple[str, ...]:
        """The areas that hold at least one requirement, in the order AREA_TITLES gives."""
        present = {requirement.area for requirement in self.requirements}
        return tuple(area for area in AREA_TITLES if area in present)

    def __len__(self) -> int:
        return len(self.requirements)


@cache
def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and validate the catalogue; the default is the one the contract module points at."""
    path = catalogue_path() if path is None else path
    try:
        data = read_yaml(path)
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read the catalogue ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: not valid YAML ({_one_line(str(exc))})") from exc
    return parse_catalogue(data, origin=str(path))


def parse_catalogue(data: object, origin: str = "catalogue") -> Catalogue:
    """Validate already-parsed catalogue data (a mapping with a `requirements` list)."""
    if not isinstance(data, Mapping):
        raise CatalogueError(f"{origin}: the top level must be a mapping")
    entries = data.get("requirements")
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{origin}: `requirements` must be a non-empty list")
    requirements: list[Requirement] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        requirement = _parse_requirement(entry, f"{origin}: requirement #{index + 1}")
        if requirement.id in seen:
            raise CatalogueError(f"{origin}: duplicate requirement id {requirement.id}")
        seen.add(requirement.id)
        requirements.append(requirement)
    return Catalogue(requirements=tuple(requirements))


def _parse_requirement(entry: object, where: str) -> Requirement:
    if not isinstance(entry, Mapping):
        raise CatalogueError(f"{where}: must be a mapping")
    requirement_id = _text(entry, "id", where)
    if not ID_PATTERN.match(requirement_id):
        raise CatalogueError(f"{where}: id {requirement_id!r} does not match AREA-nnn")
    where = f"{where} ({requirement_id})"
    level = _text(entry, "level", where)
    if level not in LEVELS:
        raise CatalogueError(f"{where}: level {level!r} is not one of {', '.join(LEVELS)}")
    area = _text(entry, "area", where)
    if area not in AREA_TITLES:
        raise CatalogueError(f"{where}: area {area!r} is not one of {', '.join(AREA_TITLES)}")
    source = _mapping(entry, "source", where)
    operations = entry.get("operations")
    if (
        not isinstance(operations, list)
        or not operations
        or not all(isinstance(op, str) and op for op in operations)
    ):
        raise CatalogueError(f"{where}: `operations` must be a non-empty list of operationIds")
    return Requirement(
        id=requirement_id,
        level=level,
        area=area,
        title=_text(entry, "title", where),
        source=Source(
            doc=_text(source, "doc", f"{where} source"),
            quote=_text(source, "quote", f"{where} source"),
        ),
        operations=tuple(operations),
        reading=_optional_text(entry, "reading", where),
        contradiction=_parse_contradiction(entry, where),
        not_tested=_optional_text(entry, "not_tested", where),
        response_of=_optional_text(entry, "response_of", where),
    )


def _parse_contradiction(entry: Mapping[str, Any], where: str) -> Contradiction | None:
    if entry.get("contradiction") is None:
        return None
    found = _mapping(entry, "contradiction", where)
    where = f"{where} contradiction"
    return Contradiction(
        doc=_text(found, "doc", where),
        quote=_text(found, "quote", where),
        chosen=_text(found, "chosen", where),
    )


def _mapping(entry: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = entry.get(key)
    if not isinstance(value, Mapping):
        raise CatalogueError(f"{where}: `{key}` must be a mapping")
    return value


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: `{key}` must be a non-empty string")
    return value


def _optional_text(entry: Mapping[str, Any], key: str, where: str) -> str | None:
    if entry.get(key) is None:
        return None
    return _text(entry, key, where)


def _one_line(text: str) -> str:
    return " ".join(text.split())
