"""The contract files (OpenAPI document, requirements catalogue, readings register) as data.

The files live in openapi/ at the top of the repository; conformance/data is a link to that
folder so an installed package carries them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

_DATA = Path(__file__).resolve().parents[1] / "data"

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# The contract's E.164 type: a field whose schema is this $ref takes a phone number.
PHONE_REF = "#/components/schemas/E164Phone"
QUERY = "query"  # PhoneField.where of a query parameter (otherwise: the body's media type)


def spec_path() -> Path:
    """Path of the OpenAPI contract."""
    return _DATA / "tgo-business.yaml"


def catalogue_path() -> Path:
    """Path of the requirements catalogue."""
    return _DATA / "requirements.yaml"


def readings_path() -> Path:
    """Path of the readings register."""
    return _DATA / "readings.yaml"


# libyaml's loader when PyYAML was built with it: ten times faster, and every run reads three
# files of several hundred lines.
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """A YAML file as plain data (safe: no tags that build objects)."""
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=SafeLoader)


@cache
def load_spec_from(path: Path) -> dict[str, Any]:
    """The OpenAPI document at `path` as plain data (cached: it never changes during a run)."""
    spec: dict[str, Any] = read_yaml(path)
    return spec


def load_spec() -> dict[str, Any]:
    """The shipped OpenAPI document as plain data."""
    return load_spec_from(spec_path())


@dataclass(frozen=True)
class PhoneField:
    """A place an operation takes a phone number: a query parameter, or a field of the body
    sent as one media type (the same name in two media types is two places)."""

    name: str
    where: str  # QUERY, or the request body's media type
    required: bool

    @property
    def in_query(self) -> bool:
        return self.where == QUERY


@dataclass(frozen=True)
class Operation:
    """One operation of the contract, with the scope the documentation says it needs."""

    operation_id: str
    method: str
    path: str
    required_scope: str | None
    takes_input: bool = False  # parameters or a request body: something to make invalid
    # The fields its request bodies name, over every media type (the docs' names: READ-031).
    body_fields: tuple[str, ...] = ()
    # Where it takes a phone number: every parameter and body field whose schema is $ref
    # E164Phone, in document order. The suite, the generated-case judge and the mock all read
    # which fields are E.164 here, so the contract is the one place that says it.
    phone_fields: tuple[PhoneField, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


def operations_of(spec: dict[str, Any]) -> dict[str, Operation]:
    """Every operation of an OpenAPI document by operationId, in document order."""
    found: dict[str, Operation] = {}
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            found[op["operationId"]] = Operation(
                operation_id=op["operationId"],
                method=method.upper(),
                path=path,
                required_scope=op.get("x-required-scope"),
                takes_input=bool(op.get("parameters") or op.get("requestBody")),
                body_fields=_body_fields(spec, op),
                phone_fields=_phone_fields(spec, op),
            )
    return found


def _body_schemas(spec: dict[str, Any], op: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The request body's schema per media type, a $ref to a component resolved."""
    schemas: dict[str, dict[str, Any]] = {}
    for media_type, media in op.get("requestBody", {}).get("content", {}).items():
        schema = media.get("schema", {})
        ref = schema.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
        schemas[media_type] = schema
    return schemas


def _body_fields(spec: dict[str, Any], op: dict[str, Any]) -> tuple[str, ...]:
    names: dict[str, None] = {}
    for schema in _body_schemas(spec, op).values():
        names.update(dict.fromkeys(schema.get("properties", {})))
    return tuple(names)


def _phone_fields(spec: dict[str, Any], op: dict[str, Any]) -> tuple[PhoneField, ...]:
    found = [
        PhoneField(param["name"], QUERY, bool(param.get("required")))
        for param in op.get("parameters", [])
        if param.get("in") == QUERY and param.get("schema", {}).get("$ref") == PHONE_REF
    ]
    for media_type, schema in _body_schemas(spec, op).items():
        required = set(schema.get("required", []))
        found.extend(
            PhoneField(name, media_type, name in required)
            for name, prop in schema.get("properties", {}).items()
            if prop.get("$ref") == PHONE_REF
        )
    return tuple(found)


@cache
def operations() -> dict[str, Operation]:
    """Every operation of the shipped contract by operationId, in document order."""
    return operations_of(load_spec())


def operation(operation_id: str) -> Operation:
    """The operation with this operationId; KeyError names it when the contract lacks it."""
    try:
        return operations()[operation_id]
    except KeyError:
        raise KeyError(f"the contract has no operation {operation_id!r}") from None


def raw_operation(operation_id: str) -> dict[str, Any]:
    """The operation's OpenAPI object as written in the contract."""
    op = operation(operation_id)
    raw: dict[str, Any] = load_spec()["paths"][op.path][op.method.lower()]
    return raw
