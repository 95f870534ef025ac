"""The OpenAPI contract is valid and every example in it satisfies its own schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate

from conformance.rules import contract
from conformance.rules.contract import spec_path

SPEC = contract.load_spec()


def test_contract_is_valid_openapi_3_1() -> None:
    assert SPEC["openapi"].startswith("3.1")
    validate(SPEC)


def _examples(node: Any, where: str) -> Iterator[tuple[str, Any, Any]]:
    """Yield (location, schema, example) for every example attached anywhere in the document."""
    if isinstance(node, dict):
        schema = node.get("schema")
        if schema is not None and "example" in node:
            yield where, schema, node["example"]
        if schema is not None and isinstance(node.get("examples"), dict):
            for name, example in node["examples"].items():
                yield f"{where}/examples/{name}", schema, example["value"]
        if "type" in node or "anyOf" in node or "oneOf" in node or "allOf" in node:
            for index, example in enumerate(node.get("examples") or []):
                if isinstance(node.get("examples"), list):
                    yield f"{where}/examples/{index}", node, example
        for key, value in node.items():
            yield from _examples(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _examples(value, f"{where}/{index}")


EXAMPLES = list(_examples(SPEC, "#"))


def test_contract_has_the_docs_examples() -> None:
    # The request and lookup examples of sending-messages.txt, at the least.
    locations = " ".join(location for location, _, _ in EXAMPLES)
    assert "sendMessage" in str(SPEC) and "/examples/docs" in locations
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize(("location", "schema", "example"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_example_satisfies_its_schema(location: str, schema: Any, example: Any) -> None:
    # Local $refs resolve against the document root, so give the schema the components.
    rooted = {**schema, "components": SPEC["components"]}
    validator = Draft202012Validator(rooted, format_checker=FormatChecker())
    errors = [error.message for error in validator.iter_errors(example)]
    assert not errors, f"{location}: {errors}"


def test_every_operation_except_listing_senders_names_its_scope() -> None:
    scopes = {op.operation_id: op.required_scope for op in contract.operations().values()}
    assert scopes == {
        "registerSenderNumber": "messages.send",
        "listSenderNumbers": None,
        "sendMessage": "messages.send",
        "listMessages": "messages.read",
        "lookupContact": "contacts.lookup",
        "getUsage": "usage.read",
    }


def test_e164_pattern_is_the_documented_shape() -> None:
    pattern = SPEC["components"]["schemas"]["E164Phone"]["pattern"]
    validator = Draft202012Validator({"type": "string", "pattern": pattern})
    assert validator.is_valid("+201001187188")
    assert validator.is_valid("+12") and validator.is_valid("+123456789012345")
    for bad in ("201001187188", "+0123", "+1234567890123456", "+20 100", "+20-100", "+", ""):
        assert not validator.is_valid(bad), bad


def test_sender_selector_admits_exactly_one_sender_field() -> None:
    schema = {
        "$ref": "#/components/schemas/SendTextMessageRequest",
        "components": SPEC["components"],
    }
    validator = Draft202012Validator(schema)
    base = {"to_phone": "+201010000000", "type": "text", "content": "hi"}
    assert validator.is_valid({**base, "sender_phone": "+201001187188"})
    assert validator.is_valid({**base, "sender_number_id": 12})
    assert not validator.is_valid(base)
    assert not validator.is_valid({**base, "sender_phone": "+201001187188", "sender_number_id": 12})


def test_voice_needs_a_duration_from_1_to_300() -> None:
    schema = {
        "$ref": "#/components/schemas/SendMediaMessageRequest",
        "components": SPEC["components"],
    }
    validator = Draft202012Validator(schema)
    base = {"sender_phone": "+201001187188", "to_phone": "+201010000000", "media": "x"}
    assert validator.is_valid({**base, "type": "image"})
    assert not validator.is_valid({**base, "type": "voice"})
    for ok in (1, 45, 300):
        assert validator.is_valid({**base, "type": "voice", "duration": ok})
    for bad in (0, 301, -1, 1.5, "45"):
        assert not validator.is_valid({**base, "type": "voice", "duration": bad}), bad


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice (plain YAML keeps the last silently)."""


def _unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys = [loader.construct_object(key) for key, _ in node.value]
    twice = sorted({str(k) for k in keys if keys.count(k) > 1})
    assert not twice, f"keys given twice at line {node.start_mark.line + 1}: {twice}"
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


@pytest.mark.parametrize("name", ["tgo-business.yaml", "requirements.yaml", "readings.yaml"])
def test_no_key_is_written_twice(name: str) -> None:
    with (spec_path().parent / name).open(encoding="utf-8") as handle:
        yaml.load(handle, Loader=_UniqueKeyLoader)
