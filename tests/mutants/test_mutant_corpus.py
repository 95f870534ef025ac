"""The suite catches every broken variant of the mock, naming the broken rule, and passes every
variant that only takes a reading the docs leave open.

Each variant is its own test (xdist spreads them); a broken variant runs only the tests that
declare the requirement it breaks, and all compatible variants at once run the whole quick suite.
A compatible variant also runs alone, with only the tests of the requirements whose checks
consult its reading (its register entry's `checks`), when the all-at-once run does not hold its
reading (another variant overrides a value it sets); with TGO_CORPUS=full every one does.
`nox -s mutants` runs every compatible variant alone with the whole suite.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from corpus import (
    ALL_COMPATIBLE,
    BROKEN,
    COMPATIBLE,
    CONSULTED_BY,
    RUN_ALONE,
    masked_in_all,
)
from score import run_variant

from conformance.mock.variants import behaviour_of
from conformance.rules.catalogue import load_catalogue

pytestmark = pytest.mark.slow


def test_corpus_names_known_requirements() -> None:
    known = set(load_catalogue().ids())
    assert set(BROKEN.values()) <= known
    assert len(BROKEN) >= 40


@pytest.mark.parametrize("variant", list(BROKEN))
def test_broken_variant_fails_its_requirement(variant: str, tmp_path: Path) -> None:
    requirement = BROKEN[variant]
    run = run_variant(variant, tmp_path, requirement=requirement)
    assert run.exit_status in (0, 1), run.output
    assert run.killed_for(requirement), (
        f"{variant} breaks {requirement}, but the run failed only {sorted(run.failed)}\n"
        f"{run.output}"
    )


def test_every_compatible_reading_is_in_effect_in_a_run_of_the_default_corpus() -> None:
    """Each compatible variant is run alone, or its every override holds in the all-at-once run
    (which runs the whole quick suite); the nine paging conventions cannot all hold there."""
    combined = behaviour_of(COMPATIBLE)
    masked = set(masked_in_all())
    assert {"compat_paging_cursor", "compat_paging_has_more"} <= masked
    assert masked <= set(RUN_ALONE) <= set(COMPATIBLE)
    for name in set(COMPATIBLE) - masked:
        alone = behaviour_of([name])
        assert alone.hooks <= combined.hooks, name
        for part in ("rules", "choices"):
            ours, base = getattr(alone, part), getattr(behaviour_of([]), part)
            for field in (f.name for f in dataclasses.fields(ours)):
                if getattr(ours, field) != getattr(base, field):
                    held = getattr(getattr(combined, part), field)
                    assert held == getattr(ours, field), f"{name}: {part}.{field}"


@pytest.mark.parametrize("variants", [*RUN_ALONE, ALL_COMPATIBLE])
def test_compatible_variant_passes(variants: str, tmp_path: Path) -> None:
    run = run_variant(variants, tmp_path, requirement=CONSULTED_BY.get(variants))
    assert run.exit_status == 0, run.output
    assert run.verdict == "pass" and not run.failed_must, sorted(run.failed)
