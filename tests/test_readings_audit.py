"""The audit (docs/readings-audit.md): a row for every constraint of the contract, and nothing in it
that the register, the catalogue or the docs do not hold.

A constraint is every validation keyword of a schema in components.schemas, in a parameter, a
request body or a response of the contract, found by walking every subschema; a parameter's or a
request body's `required` counts too. The audit names each by its JSON pointer, so a constraint
added to the contract without a row fails here until the audit says what pins it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docs_pages import quoted

from conformance.rules.catalogue import load_catalogue
from conformance.rules.contract import load_spec
from conformance.rules.readings import load_register

AUDIT_PATH = Path(__file__).resolve().parent.parent / "docs" / "readings-audit.md"
AUDIT = AUDIT_PATH.read_text(encoding="utf-8")

# The keywords that constrain a value, and where subschemas sit.
CONSTRAINT_KEYWORDS = (
    "type",
    "enum",
    "const",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "required",
    "oneOf",
    "anyOf",
    "allOf",
    "not",
    "if",
)
SUBSCHEMA_LISTS = ("oneOf", "anyOf", "allOf", "prefixItems")
SUBSCHEMA_SINGLE = ("not", "if", "then", "else", "items", "additionalProperties", "contains")
SUBSCHEMA_MAPS = ("properties", "patternProperties")

READING_ID = re.compile(r"\bREAD-\d{3}\b")
REQUIREMENT_ID = re.compile(r"\b(?!READ-)[A-Z]+-\d{3}\b")
# Doc words are written as `page.txt: `words``; a | inside a table cell is written \|.
DOC_QUOTE = re.compile(r"([a-z-]+\.txt): `([^`]+)`")


def escape(token: object) -> str:
    """A JSON pointer reference token (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def schema_constraints(node: Any, pointer: str) -> Iterator[str]:
    """The pointer of every constraint keyword in a schema and in all its subschemas."""
    if not isinstance(node, dict):
        return
    for keyword in CONSTRAINT_KEYWORDS:
        if keyword in node:
            yield f"{pointer}/{keyword}"
    for keyword in SUBSCHEMA_LISTS:
        for index, sub in enumerate(node.get(keyword) or []):
            yield from schema_constraints(sub, f"{pointer}/{keyword}/{index}")
    for keyword in SUBSCHEMA_SINGLE:
        if isinstance(node.get(keyword), dict):
            yield from schema_constraints(node[keyword], f"{pointer}/{keyword}")
    for keyword in SUBSCHEMA_MAPS:
        for name, sub in (node.get(keyword) or {}).items():
            yield from schema_constraints(sub, f"{pointer}/{keyword}/{escape(name)}")


def document_constraints(node: Any, pointer: str) -> Iterator[str]:
    """Constraints outside components.schemas: every `schema` object (parameters, bodies,
    responses, headers), and the `required` of each parameter and request body."""
    if isinstance(node, dict):
        if "in" in node and "name" in node and "required" in node:
            yield f"{pointer}/required"
        for key, value in node.items():
            where = f"{pointer}/{escape(key)}"
            if key == "schema" and isinstance(value, dict):
                yield from schema_constraints(value, where)
                continue
            if key == "requestBody" and isinstance(value, dict) and "required" in value:
                yield f"{where}/required"
            yield from document_constraints(value, where)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from document_constraints(value, f"{pointer}/{index}")


def constraint_locations(spec: dict[str, Any]) -> list[str]:
    """Every constraint of the contract, as a JSON pointer, in document order."""
    components = spec["components"]
    found: list[str] = []
    for name, schema in components["schemas"].items():
        found.extend(schema_constraints(schema, f"#/components/schemas/{escape(name)}"))
    found.extend(document_constraints(spec.get("paths", {}), "#/paths"))
    found.extend(document_constraints(components.get("responses", {}), "#/components/responses"))
    return found


LOCATIONS = constraint_locations(load_spec())


def test_the_contract_has_constraints_to_audit() -> None:
    assert len(LOCATIONS) >= 50
    assert "#/components/schemas/SendMediaMessageRequest/properties/duration/maximum" in LOCATIONS
    assert "#/paths/~1api~1v1~1contacts~1lookup/get/parameters/0/required" in LOCATIONS


@pytest.mark.parametrize("pointer", LOCATIONS, ids=LOCATIONS)
def test_every_constraint_of_the_contract_has_a_row(pointer: str) -> None:
    assert f"`{pointer}`" in AUDIT, f"{pointer} is not in {AUDIT_PATH.name}"


def test_the_audit_has_its_parts() -> None:
    for heading in (
        "# The audit of every check and every schema constraint against the readings register",
        "What changed, in short",
        "Open questions",
    ):
        assert heading in AUDIT, heading


def test_every_reading_the_audit_cites_exists() -> None:
    known = set(load_register().ids())
    cited = set(READING_ID.findall(AUDIT))
    assert cited, "the audit cites no reading"
    assert cited <= known, sorted(cited - known)


def test_every_requirement_the_audit_cites_exists() -> None:
    known = set(load_catalogue().ids())
    cited = set(REQUIREMENT_ID.findall(AUDIT))
    assert cited, "the audit cites no requirement"
    assert cited <= known, sorted(cited - known)


QUOTES = sorted(set(DOC_QUOTE.findall(AUDIT)))


@pytest.mark.parametrize(("doc", "words"), QUOTES, ids=[f"{d}:{w[:40]}" for d, w in QUOTES])
def test_every_doc_quote_is_word_for_word(doc: str, words: str) -> None:
    assert quoted(doc, words.replace("\\|", "|")), f"not in {doc}: {words!r}"
