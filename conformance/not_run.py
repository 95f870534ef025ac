"""Why something was not tested, as data: its cause and the config entries that would test it.

The code that decides a test cannot run (a fixture missing a config entry, the deadline, a
read-only run, a refused reference request) says so with a `NotRun`, which travels on the
test's report to the controller (as a JSON-able dict across xdist workers) and on to the
report, where the not-tested breakdown reads the cause and the entries instead of the words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, NoReturn, get_args

import pytest

Cause = Literal[
    "missing_entry",
    "read_only",
    "outside_api",
    "deadline",
    "docs_open",
    "target_limit",
    "reference_refused",
    "not_reached",
    "suite_error",
    "deselected",
    "other",
]
# The causes in the order the report lists them (the Literal's order).
CAUSES: Final[tuple[Cause, ...]] = get_args(Cause)
# The attribute of a skip exception that carries its NotRun (see `skip_because`).
SKIP_ATTRIBUTE: Final = "tgo_not_run"


@dataclass(frozen=True)
class MissingEntry:
    """A target config entry that was not given, and the variables that can give it."""

    entry: str  # "[keys].revoked"
    variables: str  # "TGO_KEY_REVOKED"

    def to_add(self) -> str:
        """How the report asks for it: "[keys].revoked (or TGO_KEY_REVOKED)"."""
        return f"{self.entry} (or {self.variables})"


@dataclass(frozen=True)
class NotRun:
    """Why a test (or a requirement) was not tested: the cause, the words the report shows,
    and the config entries whose absence is the cause."""

    cause: Cause
    text: str
    missing: tuple[MissingEntry, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "cause": self.cause,
            "text": self.text,
            "missing": [{"entry": m.entry, "variables": m.variables} for m in self.missing],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NotRun:
        cause = str(data["cause"])
        if cause not in CAUSES:
            raise ValueError(f"not a cause of not running: {cause!r}")
        return cls(
            cause=cause,  # narrowed by the check against CAUSES above
            text=str(data["text"]),
            missing=tuple(
                MissingEntry(str(m["entry"]), str(m["variables"])) for m in data["missing"]
            ),
        )


def skip_because(reason: NotRun) -> NoReturn:
    """Skip the current test with `reason`'s words, the reason itself on the skip exception
    (the plugin puts it on the test's report)."""
    try:
        pytest.skip(reason.text)
    except pytest.skip.Exception as skipped:
        setattr(skipped, SKIP_ATTRIBUTE, reason)
        raise


def not_run_of(error: BaseException | None) -> NotRun | None:
    """The NotRun a skip carries, if it was raised by `skip_because`."""
    reason = getattr(error, SKIP_ATTRIBUTE, None)
    return reason if isinstance(reason, NotRun) else None
