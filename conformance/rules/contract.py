"""The contract files (OpenAPI document and requirements catalogue) and what code reads from them.

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


def spec_path() -> Path:
    """Path of the OpenAPI contract."""
    return _DATA / "tgo-business.yaml"


def catalogue_path() -> Path:
    """Path of the requirements catalogue."""
    return _DATA / "requirements.yaml"


@cache
def load_spec() -> dict[str, Any]:
    """The OpenAPI document as plain data (cached: it never changes during a run)."""
    with spec_path().open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    return spec


@dataclass(frozen=True)
class Operation:
    """One operation of the contract, with the scope the documentation says it needs."""

    operation_id: str
    method: str
    path: str
    required_scope: str | None

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


@cache
def operations() -> dict[str, Operation]:
    """Every operation of the contract by operationId, in document order."""
    found: dict[str, Operation] = {}
    for path, item in load_spec()["paths"].items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            found[op["operationId"]] = Operation(
                operation_id=op["operationId"],
                method=method.upper(),
                path=path,
                required_scope=op.get("x-required-scope"),
            )
    return found


def operation(operation_id: str) -> Operation:
    """The operation with this operationId; KeyError names it when the contract lacks it."""
    try:
        return operations()[operation_id]
    except KeyError:
        raise KeyError(f"the contract has no operation {operation_id!r}") from None


def scope_key_name(scope: str) -> str:
    """The [keys] entry of the target config that holds a key with only this scope."""
    return scope.replace(".", "_")


def takes_input(operation_id: str) -> bool:
    """Whether the operation has parameters or a request body (something to make invalid)."""
    op = operation(operation_id)
    raw = load_spec()["paths"][op.path][op.method.lower()]
    return bool(raw.get("parameters") or raw.get("requestBody"))
