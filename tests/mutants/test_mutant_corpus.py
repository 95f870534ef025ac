"""The suite catches every broken variant of the mock, naming the broken rule, and passes every
variant that only takes a reading the docs leave open.

Each variant is its own test (xdist spreads them); a broken variant runs only the tests that
declare the requirement it breaks, a compatible one only the tests of the requirements whose
checks consult its reading (its register entry's `checks`), and all compatible variants at once
run the whole quick suite. `nox -s mutants` runs every compatible variant with the whole suite.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import ALL_COMPATIBLE, BROKEN, COMPATIBLE, CONSULTED_BY
from score import run_variant

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


@pytest.mark.parametrize("variants", [*COMPATIBLE, ALL_COMPATIBLE])
def test_compatible_variant_passes(variants: str, tmp_path: Path) -> None:
    run = run_variant(variants, tmp_path, requirement=CONSULTED_BY.get(variants))
    assert run.exit_status == 0, run.output
    assert run.verdict == "pass" and not run.failed_must, sorted(run.failed)
