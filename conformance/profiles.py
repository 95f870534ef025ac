"""Run profiles: how many examples the property and schema-driven tests try."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, Phase, core, settings
from hypothesis.configuration import set_hypothesis_home_dir

SEED_MAX = 2**32 - 1


@dataclass(frozen=True)
class Profile:
    name: str
    max_examples: int  # per property test
    schema_examples: int  # per operation and generation mode, schema-driven tests
    stateful_examples: int
    stateful_steps: int
    # Shrink a failing example to a minimal one: what a vendor wants in a report, and what a
    # quick run cannot afford (a failure against a slow target shrinks for minutes).
    shrink: bool = True
    # How long a log or a usage count may lag behind a send (READ-046) before a requirement
    # fails: a real target's queue may take seconds; a quick run cannot wait for each.
    settle_s: float = 5.0


PROFILES = {
    "quick": Profile(
        "quick",
        max_examples=4,
        schema_examples=5,
        stateful_examples=2,
        stateful_steps=4,
        shrink=False,
        settle_s=2.0,
    ),
    "full": Profile(
        "full", max_examples=100, schema_examples=100, stateful_examples=20, stateful_steps=10
    ),
}


def current_hypothesis_profile() -> str:
    """The Hypothesis settings profile in force (to restore after a run in a process that goes
    on: the kit's own tests run the suite in-process)."""
    return str(settings.get_current_profile_name())


def new_seed() -> int:
    return secrets.randbelow(SEED_MAX + 1)


def use_seed(seed: int | None, storage: Path | None) -> None:
    """Every Hypothesis test of the run draws from `seed` (None: back to Hypothesis' own
    choice), and keeps its caches under `storage` instead of ./.hypothesis (None: the default).

    `core.global_force_seed` is what Hypothesis' own pytest plugin sets for --hypothesis-seed;
    it is set here as well because the suite also runs inside a process that goes on (the
    kit's tests), and the plugin sets it once, at its own configure."""
    setattr(core, "global_force_seed", seed)  # noqa: B010 - typed as None in hypothesis
    set_hypothesis_home_dir(storage)


def load_profile(name: str) -> Profile:
    """Make Hypothesis follow the profile: examples drawn from the run's seed (use_seed), no
    local example database (a conformance run must not depend on what an earlier run against
    another target found)."""
    profile = PROFILES[name]
    settings.register_profile(
        f"tgo-{name}",
        max_examples=profile.max_examples,
        deadline=None,
        derandomize=False,  # the run's seed decides the examples (use_seed)
        database=None,
        print_blob=False,
        phases=[phase for phase in Phase if profile.shrink or phase is not Phase.shrink],
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )
    settings.load_profile(f"tgo-{name}")
    return profile
