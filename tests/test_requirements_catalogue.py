"""The requirements catalogue is well formed and every requirement cites the docs word for word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from docs_pages import doc_text, normalise

from conformance.rules.catalogue import (
    AREA_TITLES,
    LEVELS,
    Catalogue,
    CatalogueError,
    Requirement,
    load_catalogue,
    parse_catalogue,
)
from conformance.rules.contract import spec_path

REPO = Path(__file__).resolve().parent.parent
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

CATALOGUE = load_catalogue()


def by_id(requirement: Requirement) -> str:
    return requirement.id


@pytest.mark.parametrize("requirement", CATALOGUE.requirements, ids=by_id)
def test_source_quote_occurs_in_its_doc(requirement: Requirement) -> None:
    text = doc_text(requirement.source.doc)
    assert normalise(requirement.source.quote) in text, (
        f"{requirement.id}: quote not found in {requirement.source.doc}: "
        f"{requirement.source.quote!r}"
    )


CONTRADICTIONS = [r for r in CATALOGUE.requirements if r.contradiction is not None]


@pytest.mark.parametrize("requirement", CONTRADICTIONS, ids=by_id)
def test_contradiction_quote_occurs_in_its_doc(requirement: Requirement) -> None:
    assert requirement.contradiction is not None
    text = doc_text(requirement.contradiction.doc)
    assert normalise(requirement.contradiction.quote) in text, (
        f"{requirement.id}: contradiction quote not found in {requirement.contradiction.doc}: "
        f"{requirement.contradiction.quote!r}"
    )


def test_docs_pages_named_by_the_catalogue_exist() -> None:
    named = {r.source.doc for r in CATALOGUE.requirements} | {
        r.contradiction.doc for r in CONTRADICTIONS if r.contradiction is not None
    }
    for name in sorted(named):
        doc_text(name)


def test_ids_are_unique_and_well_formed() -> None:
    ids = CATALOGUE.ids()
    assert len(ids) == len(set(ids)), "duplicate requirement ids"
    malformed = [i for i in ids if not re.fullmatch(r"[A-Z]+-\d{3}", i)]
    assert not malformed, f"malformed ids: {malformed}"


def test_levels_and_areas_are_known() -> None:
    for requirement in CATALOGUE.requirements:
        assert requirement.level in LEVELS, requirement.id
        assert requirement.area in AREA_TITLES, requirement.id


def test_every_area_has_requirements() -> None:
    assert set(CATALOGUE.areas()) == set(AREA_TITLES)


def test_not_tested_entries_give_a_reason() -> None:
    for requirement in CATALOGUE.requirements:
        if requirement.not_tested is not None:
            assert requirement.not_tested.strip(), f"{requirement.id}: empty not_tested reason"


def test_contradictions_say_which_reading_was_chosen() -> None:
    assert CONTRADICTIONS, "the docs contradict each other; the catalogue must record it"
    for requirement in CONTRADICTIONS:
        assert requirement.contradiction is not None
        assert requirement.contradiction.chosen.strip(), requirement.id


def contract_operation_ids() -> set[str]:
    with spec_path().open(encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    found: set[str] = set()
    for item in spec["paths"].values():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict) and "operationId" in operation:
                found.add(operation["operationId"])
    return found


@pytest.mark.skipif(not spec_path().is_file(), reason="the contract is not written yet")
def test_operations_name_contract_operation_ids() -> None:
    known = contract_operation_ids()
    assert known, "the contract defines no operationId"
    unknown = {
        (requirement.id, op)
        for requirement in CATALOGUE.requirements
        for op in requirement.operations
        if op != "*" and op not in known
    }
    assert not unknown, f"operations unknown to the contract: {sorted(unknown)}"


def test_by_id_finds_a_requirement_and_names_a_missing_one() -> None:
    first = CATALOGUE.requirements[0]
    assert CATALOGUE.by_id(first.id) is first
    with pytest.raises(KeyError, match="NOPE-999"):
        CATALOGUE.by_id("NOPE-999")


def entry(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "AUTH-001",
        "level": "MUST",
        "area": "auth",
        "title": "t",
        "source": {"doc": "d.txt", "quote": "q"},
        "operations": ["*"],
    }
    base.update(overrides)
    return base


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([entry(), entry()], "duplicate requirement id AUTH-001"),
        ([entry(id="auth-1")], "does not match"),
        ([entry(level="MUSTNT")], "level"),
        ([entry(area="billing")], "area"),
        ([entry(source={"doc": "d.txt"})], "quote"),
        ([entry(operations=[])], "operations"),
        ([entry(contradiction={"doc": "d.txt", "quote": "q"})], "chosen"),
    ],
)
def test_malformed_catalogue_is_refused_with_one_line(
    entries: list[dict[str, object]], message: str
) -> None:
    with pytest.raises(CatalogueError, match=message) as caught:
        parse_catalogue({"version": 1, "requirements": entries})
    assert "\n" not in str(caught.value)


def test_load_catalogue_reads_an_explicit_path(tmp_path: Path) -> None:
    path = tmp_path / "requirements.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "requirements": [entry()]}), encoding="utf-8")
    loaded = load_catalogue(path)
    assert isinstance(loaded, Catalogue)
    assert loaded.ids() == ("AUTH-001",)
    assert loaded.by_id("AUTH-001").operations == ("*",)
