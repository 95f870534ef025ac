"""The suite catches every broken variant of the mock, naming the broken rule, and passes every
variant that only makes choices the docs leave open."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import BROKEN, COMPATIBLE
from score import ALL_COMPATIBLE, VariantRun, run_all

from conformance.mock.faults import Faults
from conformance.rules.catalogue import load_catalogue

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, VariantRun]:
    workdir: Path = tmp_path_factory.mktemp("mutants")
    return run_all([*BROKEN, *COMPATIBLE, ALL_COMPATIBLE], workdir)


def test_corpus_names_real_switches_and_requirements() -> None:
    switches = set(Faults.names())
    assert set(BROKEN) <= switches
    assert set(COMPATIBLE) <= switches
    assert switches == set(BROKEN) | set(COMPATIBLE), "a fault switch is missing from the corpus"
    known = set(load_catalogue().ids())
    assert set(BROKEN.values()) <= known
    assert len(BROKEN) >= 40


@pytest.mark.parametrize("faults", list(BROKEN))
def test_broken_variant_fails_its_requirement(faults: str, runs: dict[str, VariantRun]) -> None:
    run = runs[faults]
    requirement = BROKEN[faults]
    assert run.exit_status in (0, 1), run.output
    assert run.killed_for(requirement), (
        f"{faults} breaks {requirement}, but the run failed only {sorted(run.failed)}\n{run.output}"
    )


@pytest.mark.parametrize("faults", [*COMPATIBLE, ALL_COMPATIBLE])
def test_compatible_variant_passes(faults: str, runs: dict[str, VariantRun]) -> None:
    run = runs[faults]
    assert run.exit_status == 0, run.output
    assert run.verdict == "pass" and not run.failed_must, sorted(run.failed)
