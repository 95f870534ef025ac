"""Several runs side by side: one column per run, one row per requirement (and per readings
register entry the runs chose on), from each run's summary.json (`tgo-conformance matrix`).

Rows where the targets disagree come first. Runs judged by different inputs are marked not
comparable; two runs of one target (the same name) show what changed between them.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from conformance.report.pinned import differing_inputs
from conformance.report.schemas import summary_problem


class MatrixError(Exception):
    """A report directory the matrix cannot use: one line naming the file and what is wrong."""


@dataclass(frozen=True)
class Run:
    """One run's summary.json, and where its report lives."""

    report_dir: Path
    summary: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.summary["name"])

    @property
    def started_at(self) -> str:
        return str(self.summary["started_at"])

    @property
    def inputs(self) -> dict[str, str]:
        return dict(self.summary["inputs"])

    @cached_property
    def statuses(self) -> dict[str, str]:
        return {r["id"]: r["status"] for r in self.summary["requirements"]}

    @cached_property
    def chosen(self) -> dict[str, list[str]]:
        """Register entry -> the behaviours the target was seen to choose there."""
        return {
            item["id"]: [seen["behaviour"] for seen in item["observed"]]
            for item in self.summary.get("readings", [])
            if item["observed"]
        }

    def anchor(self, req_id: str) -> str:
        """The finding a failed requirement is part of, else the requirement's own row."""
        for finding in self.summary.get("findings", []):
            if req_id in finding.get("requirements", []) and self.statuses[req_id] == "failed":
                return str(finding["id"])
        return req_id


def read_run(report_dir: Path) -> Run:
    path = report_dir / "summary.json"
    if not path.is_file():
        why = "not a directory" if not report_dir.is_dir() else "no summary.json there"
        raise MatrixError(f"{report_dir}: {why}")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MatrixError(f"{path}: cannot read it ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MatrixError(f"{path}: not JSON ({error})") from None
    problem = summary_problem(summary)
    if problem is not None:
        raise MatrixError(f"{path}: not a summary.json of this kit: {problem}")
    return Run(report_dir, summary)


def read_runs(report_dirs: tuple[Path, ...] | list[Path]) -> list[Run]:
    return [read_run(directory) for directory in report_dirs]


@dataclass(frozen=True)
class Column:
    id: str  # run-1, run-2...: unique even when two runs share a name
    run: Run
    href: str  # compliance.html, relative to the matrix
    differs: tuple[str, ...]  # inputs judged differently from the matrix's reference runs

    @property
    def comparable(self) -> bool:
        return not self.differs

    def to_json(self) -> dict[str, Any]:
        summary = self.run.summary
        return {
            "id": self.id,
            "name": self.run.name,
            "target": summary["target"],
            "report": self.href,
            "started_at": self.run.started_at,
            "verdict": summary["verdict"],
            "complete": summary["complete"],
            "kit_version": summary["kit_version"],
            "inputs": self.run.inputs,
            "comparable": self.comparable,
            "differs": list(self.differs),
        }


@dataclass(frozen=True)
class Cell:
    column: str
    status: str
    href: str
    warning: bool = False  # a failed SHOULD or MAY
    previous_status: str | None = None  # the status in the previous run of the same name

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"target": self.column, "status": self.status, "href": self.href}
        if self.warning:
            data["warning"] = True
        if self.previous_status is not None:
            data["previous_status"] = self.previous_status
        return data


@dataclass(frozen=True)
class RequirementRow:
    requirement: dict[str, Any]  # id, level, title, doc, quote: from the first summary
    cells: tuple[Cell, ...]
    disagree: bool

    def to_json(self) -> dict[str, Any]:
        req = self.requirement
        return {
            **{key: req[key] for key in ("id", "level", "title", "doc", "quote")},
            "disagree": self.disagree,
            "cells": [cell.to_json() for cell in self.cells],
        }


@dataclass(frozen=True)
class ReadingRow:
    reading: dict[str, Any]  # id, topic, question, accepted
    chosen: tuple[tuple[str, tuple[str, ...], str], ...]  # (column, behaviours, href)
    disagree: bool

    def to_json(self) -> dict[str, Any]:
        return {
            **{key: self.reading[key] for key in ("id", "topic", "question", "accepted")},
            "disagree": self.disagree,
            "cells": [
                {"target": column, "chosen": list(behaviours), "href": href}
                for column, behaviours, href in self.chosen
            ],
        }


@dataclass(frozen=True)
class Change:
    """What changed between two runs of one target."""

    name: str
    before: Column
    after: Column
    requirements: tuple[tuple[str, str, str], ...]  # (id, status before, status after)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "from": self.before.id,
            "to": self.after.id,
            "verdict": {
                "from": self.before.run.summary["verdict"],
                "to": self.after.run.summary["verdict"],
            },
            "comparable": not differing_inputs(self.before.run.inputs, self.after.run.inputs),
            "requirements": [{"id": i, "from": a, "to": b} for i, a, b in self.requirements],
        }


@dataclass
class Matrix:
    columns: list[Column]
    requirements: list[RequirementRow]
    readings: list[ReadingRow]
    changes: list[Change] = field(default_factory=list)

    @property
    def comparable(self) -> bool:
        return all(column.comparable for column in self.columns)

    def to_json(self) -> dict[str, Any]:
        from conformance import kit_version

        return {
            "kit_version": kit_version(),
            "comparable": self.comparable,
            "targets": [column.to_json() for column in self.columns],
            "requirements": [row.to_json() for row in self.requirements],
            "readings": [row.to_json() for row in self.readings],
            "changes": [change.to_json() for change in self.changes],
        }


def _relative(path: Path, out: Path) -> str:
    return Path(os.path.relpath(path.absolute(), out.absolute())).as_posix()


def _columns(runs: list[Run], out: Path) -> list[Column]:
    """One column per run. The inputs most runs were judged by are the reference (the first
    run's on a tie); a run judged by other inputs is not comparable with them."""
    groups = Counter(json.dumps(run.inputs, sort_keys=True) for run in runs)
    top = max(groups.values())
    reference = next(
        run.inputs for run in runs if groups[json.dumps(run.inputs, sort_keys=True)] == top
    )
    return [
        Column(
            id=f"run-{n}",
            run=run,
            href=_relative(run.report_dir / "compliance.html", out),
            differs=tuple(differing_inputs(reference, run.inputs)),
        )
        for n, run in enumerate(runs, start=1)
    ]


def _latest_of_each_name(columns: list[Column]) -> list[Column]:
    latest: dict[str, Column] = {}
    for column in sorted(columns, key=lambda c: c.run.started_at):
        latest[column.run.name] = column
    return list(latest.values())


def _previous(columns: list[Column]) -> dict[str, Column]:
    """Column id -> the previous run of the same name (by start time)."""
    previous: dict[str, Column] = {}
    last: dict[str, Column] = {}
    for column in sorted(columns, key=lambda c: c.run.started_at):
        if column.run.name in last:
            previous[column.id] = last[column.run.name]
        last[column.run.name] = column
    return previous


def build_matrix(runs: list[Run], out: Path) -> Matrix:
    """The matrix of `runs`, its links relative to `out` (where matrix.html goes)."""
    columns = _columns(runs, out)
    previous = _previous(columns)
    latest = {column.id for column in _latest_of_each_name(columns)}
    catalogue: dict[str, dict[str, Any]] = {}
    for run in runs:
        for req in run.summary["requirements"]:
            catalogue.setdefault(req["id"], req)
    rows = []
    for req_id, req in catalogue.items():
        cells = []
        for column in columns:
            status = column.run.statuses.get(req_id, "absent")
            before = previous.get(column.id)
            was = before.run.statuses.get(req_id, "absent") if before else None
            cells.append(
                Cell(
                    column=column.id,
                    status=status,
                    href=f"{column.href}#{column.run.anchor(req_id)}",
                    warning=status == "failed" and req["level"] != "MUST",
                    previous_status=was if was is not None and was != status else None,
                )
            )
        seen = {cell.status for cell in cells if cell.column in latest}
        rows.append(RequirementRow(req, tuple(cells), disagree=len(seen) > 1))
    rows.sort(key=lambda row: not row.disagree)  # stable: catalogue order within each group
    return Matrix(columns, rows, _reading_rows(columns, latest), _changes(columns, previous))


def _reading_rows(columns: list[Column], latest: set[str]) -> list[ReadingRow]:
    entries: dict[str, dict[str, Any]] = {}
    for column in columns:
        for item in column.run.summary.get("readings", []):
            if item["observed"]:
                entries.setdefault(item["id"], item)
    rows = []
    for reading_id, item in entries.items():
        chosen = tuple(
            (
                column.id,
                tuple(column.run.chosen.get(reading_id, [])),
                f"{column.href}#{reading_id}",
            )
            for column in columns
        )
        seen = {frozenset(b) for c, b, _ in chosen if c in latest and b}
        rows.append(ReadingRow(item, chosen, disagree=len(seen) > 1))
    rows.sort(key=lambda row: not row.disagree)
    return rows


def _changes(columns: list[Column], previous: dict[str, Column]) -> list[Change]:
    changes = []
    for column in columns:
        before = previous.get(column.id)
        if before is None:
            continue
        old, new = before.run.statuses, column.run.statuses
        changed = tuple(
            (req_id, old.get(req_id, "absent"), new.get(req_id, "absent"))
            for req_id in dict.fromkeys([*old, *new])
            if old.get(req_id) != new.get(req_id)
        )
        changes.append(Change(column.run.name, before, column, changed))
    return changes
