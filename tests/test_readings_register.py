"""The readings register: every entry quotes the docs, names real checks, and has a compatible
variant of the mock for each entry; every compatible variant takes an entry of the register."""

from __future__ import annotations

import re

import pytest
from docs_pages import quoted

from conformance.mock.variants import BY_NAME, compatible
from conformance.rules.catalogue import load_catalogue
from conformance.rules.readings import Reading, load_register

REGISTER = load_register()
CATALOGUE = load_catalogue()
READING_ID = re.compile(r"READ-\d{3}")


def by_id(reading: Reading) -> str:
    return reading.id


def test_the_register_is_not_a_token() -> None:
    assert len(REGISTER) >= 30
    topics = {reading.topic for reading in REGISTER.readings}
    # The categories the verdict-fidelity issue lists, at least.
    for topic in (
        "error envelope",
        "status codes",
        "empty values",
        "fields of another type",
        "number formats",
        "timestamp formats",
        "phone numbers",
        "delivery",
        "promised fields",
        "list envelopes",
        "list order",
        "paging",
        "content negotiation",
    ):
        assert topic in topics, topic


@pytest.mark.parametrize("reading", REGISTER.readings, ids=by_id)
def test_entry_quotes_the_docs_word_for_word(reading: Reading) -> None:
    assert reading.docs, reading.id
    for words in reading.docs:
        assert quoted(words.doc, words.words), f"{reading.id}: not in {words.doc}: {words.words!r}"


@pytest.mark.parametrize("reading", REGISTER.readings, ids=by_id)
def test_entry_names_existing_checks_and_accepts_something(reading: Reading) -> None:
    assert reading.accepted and reading.question and reading.mock
    known = set(CATALOGUE.ids())
    assert reading.checks and set(reading.checks) <= known, set(reading.checks) - known


@pytest.mark.parametrize("reading", REGISTER.readings, ids=by_id)
def test_every_entry_has_compatible_variants_that_take_it(reading: Reading) -> None:
    assert reading.variants, f"{reading.id} has no compatible variant of the mock"
    for name in reading.variants:
        assert name in BY_NAME, f"{reading.id} names {name}, which is not in variants.py"
        variant = BY_NAME[name]
        assert variant.compatible, f"{name} is a broken variant"


def test_every_compatible_variant_takes_an_entry_that_lists_it() -> None:
    for name, variant in compatible().items():
        assert variant.reading in REGISTER.ids(), f"{name} names {variant.reading}"
        assert name in REGISTER.by_id(str(variant.reading)).variants, (
            f"{variant.reading} does not list {name}"
        )


def test_every_reading_the_catalogue_mentions_exists() -> None:
    for requirement in CATALOGUE.requirements:
        texts = [requirement.reading or "", requirement.title]
        if requirement.contradiction:
            texts.append(requirement.contradiction.chosen)
        for reading_id in READING_ID.findall(" ".join(texts)):
            assert reading_id in REGISTER.ids(), f"{requirement.id} cites {reading_id}"


def test_where_pages_contradict_each_other_either_page_passes_the_must() -> None:
    """The contradiction rule: an entry where two pages disagree accepts each page's reading and
    says how it was decided; a MUST whose catalogue entry records a contradiction cites such an
    entry and says either page passes."""
    marked = {reading.id for reading in REGISTER.readings if reading.contradiction}
    assert {"READ-001", "READ-003"} <= marked
    for reading_id in marked:
        reading = REGISTER.by_id(reading_id)
        assert reading.audit, f"{reading_id} records no audit under the contradiction rule"
        assert len(reading.accepted) >= 2, f"{reading_id} accepts one page only"
    for requirement in CATALOGUE.requirements:
        if requirement.level != "MUST" or requirement.contradiction is None:
            continue
        chosen = requirement.contradiction.chosen
        assert "Either page passes" in chosen, f"{requirement.id}: {chosen}"
        assert set(READING_ID.findall(chosen)) & marked, f"{requirement.id} cites no entry"
