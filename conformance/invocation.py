"""How a run was started, recorded in summary.json so that its failures can be run again:
one test alone (`tgo-conformance run ... -- NODE_ID`), or every failed and inconclusive test
(`tgo-conformance rerun REPORT_DIR`). The record names where the keys came from, never a key.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, get_args

from conformance.node_ids import without_named_tests


class RanTest(Protocol):
    """A test as the run finished it (report.results.TestOutcome)."""

    @property
    def nodeid(self) -> str: ...

    @property
    def outcome(self) -> str: ...


TargetSource = Literal["config file", "environment", "embedded mock"]
RERUN_OUTCOMES = ("failed", "inconclusive")


class InvocationError(Exception):
    """A summary.json whose invocation record cannot be read."""


@dataclass(frozen=True)
class Invocation:
    """What `tgo-conformance run` was given, with paths made absolute and the seed it used."""

    target: TargetSource
    config: str | None  # the config file (absolute) when target is "config file"
    profile: str
    seed: int
    pytest_args: tuple[str, ...] = ()
    waivers: str | None = None
    max_duration: float | None = None
    mock_variants: tuple[str, ...] = ()
    contract: str | None = None  # another contract (the kit's own tests)
    name: str = ""  # --name, if given: a rerun keeps the run's label

    def run_argv(self, tests: Sequence[str]) -> list[str]:
        """The command that runs `tests` again against the same target with the same seed."""
        argv = ["tgo-conformance", "run"]
        if self.config is not None:
            argv += ["--config", self.config]
        argv += ["--profile", self.profile, "--seed", str(self.seed)]
        if self.name:
            argv += ["--name", self.name]
        if self.waivers is not None:
            argv += ["--waivers", self.waivers]
        if self.max_duration is not None:
            argv += ["--max-duration", f"{self.max_duration:g}"]
        if self.mock_variants:
            argv += ["--mock-variant", ",".join(self.mock_variants)]
        if self.contract is not None:
            argv += ["--contract", self.contract]
        return [*argv, "--", *without_named_tests(self.pytest_args), *tests]

    def rerun_command(self, test: str) -> str:
        """The shell command (quoted) that runs `test` alone again."""
        return shlex.join(self.run_argv([test]))

    def reruns_json(self, tests: Iterable[RanTest]) -> list[dict[str, str]]:
        """Each failed and inconclusive test with the command that runs it alone again."""
        return [
            {"test": t.nodeid, "outcome": t.outcome, "command": self.rerun_command(t.nodeid)}
            for t in tests
            if t.outcome in RERUN_OUTCOMES
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "config": self.config,
            "profile": self.profile,
            "seed": self.seed,
            "pytest_args": list(self.pytest_args),
            "waivers": self.waivers,
            "max_duration": self.max_duration,
            "mock_variants": list(self.mock_variants),
            "contract": self.contract,
            "name": self.name,
        }

    @classmethod
    def from_json(cls, data: object) -> Invocation:
        """The record as summary.json holds it; InvocationError names what is wrong."""
        try:
            if not isinstance(data, dict):
                raise TypeError("not an object")
            target = data["target"]
            if target not in get_args(TargetSource):
                raise ValueError(f"target {target!r}")
            config = _text(data["config"])
            if (target == "config file") != (config is not None):
                raise ValueError("config must be given exactly for a config file target")
            max_duration = data.get("max_duration")
            return cls(
                target=target,
                config=config,
                profile=str(data["profile"]),
                seed=_integer(data["seed"]),
                pytest_args=tuple(_texts(data.get("pytest_args", []))),
                waivers=_text(data.get("waivers")),
                max_duration=None if max_duration is None else float(max_duration),
                mock_variants=tuple(_texts(data.get("mock_variants", []))),
                contract=_text(data.get("contract")),
                name=_text(data.get("name")) or "",
            )
        except (KeyError, TypeError, ValueError) as error:
            raise InvocationError(f"invocation record not readable ({error})") from None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a string")
    return value


def _texts(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TypeError(f"{value!r} is not a list of strings")
    return value


def _integer(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"seed {value!r} is not an integer")
    return value
