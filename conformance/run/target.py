"""Which target a run tests: a config file, the TGO_* environment, or the bundled mock."""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from conformance.config import ConfigError, TargetConfig, load_config
from conformance.run.pytest_front import RunError


def load_target(path: Path | None) -> TargetConfig:
    try:
        return load_config(path)
    except ConfigError as error:
        raise RunError(str(error)) from None


def resolve_target(
    config: Path | None,
    mock_variants: Sequence[str],
    stack: ExitStack,
    contract: Path | None = None,
    stand_in_for: TargetConfig | None = None,
) -> tuple[TargetConfig, str]:
    """The target and its name in reports. Without a config file or TGO_BASE_URL: the bundled
    mock (a variant of it with --mock-variant), served on loopback until `stack` closes, and
    following the same contract as the run; with `stand_in_for`, the mock configured like
    that target (the plan's dry run)."""
    if stand_in_for is None and config is not None:
        return load_target(config), ""
    if stand_in_for is None and os.environ.get("TGO_BASE_URL"):
        return load_target(None), ""
    # Imported here: a run against a real target never loads the mock.
    from conformance.mock.behaviour import Behaviour
    from conformance.mock.embedded import embedded_mock
    from conformance.mock.variants import UnknownVariant, behaviour_of
    from conformance.rules.values import load_rules

    try:
        behaviour = behaviour_of(mock_variants, Behaviour(rules=load_rules(contract)))
    except UnknownVariant as error:
        raise RunError(f"--mock-variant: {error}") from None
    mock = stack.enter_context(embedded_mock(behaviour))
    if stand_in_for is not None:
        from conformance.run.plan import stand_in

        return stand_in(
            mock.config, stand_in_for
        ), f"the bundled mock, standing in for {stand_in_for.base_url}"
    return mock.config, f"embedded mock ({mock.base_url})"
