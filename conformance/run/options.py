"""What the person asked for on the command line, and the record of it a rerun reads."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from conformance.config import TargetConfig
from conformance.invocation import Invocation, TargetSource


@dataclass
class RunOptions:
    """What the person asked for on the command line."""

    config: Path | None = None
    report_dir: Path | None = None
    profile: str = "full"
    max_duration: float | None = None
    baseline: Path | None = None
    seed: int | None = None
    waivers: Path | None = None
    progress_every: float | None = None
    pytest_args: Sequence[str] = ()
    # Run against the bundled mock configured like this target (the plan's dry run).
    stand_in_for: TargetConfig | None = None
    mock_variants: Sequence[str] = ()
    contract: Path | None = None
    name: str = ""  # --name (default: the target's base URL without credentials)


def recorded_invocation(
    options: RunOptions, seed: int, env: Mapping[str, str] = os.environ
) -> Invocation | None:
    """The record of a run started with `options` (None for the plan's dry run, which stands
    the mock in for another target and has nothing to rerun). The target is chosen as
    run/target.py chooses it."""
    if options.stand_in_for is not None:
        return None
    target: TargetSource
    if options.config is not None:
        target = "config file"
    elif env.get("TGO_BASE_URL"):
        target = "environment"
    else:
        target = "embedded mock"
    return Invocation(
        target=target,
        config=_absolute(options.config),
        profile=options.profile,
        seed=seed,
        pytest_args=tuple(options.pytest_args),
        waivers=_absolute(options.waivers),
        max_duration=options.max_duration,
        mock_variants=tuple(options.mock_variants) if target == "embedded mock" else (),
        contract=_absolute(options.contract),
        name=options.name,
    )


def _absolute(path: Path | None) -> str | None:
    return None if path is None else str(path.absolute())
