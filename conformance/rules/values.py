"""The rules of the API as typed values, read from the contract: the one place code gets them.

The mock enforces these values, the config loader validates with them, the strategies
generate from them and the checks expect them. A broken variant of the mock is a `Rules`
with one value changed (`rules.replace(duration=Bounds(1, 301))`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from conformance.rules.basis import Basis, Sentence
from conformance.rules.contract import Operation, load_spec_from, operations_of, spec_path

__all__ = ["Bounds", "PhoneRule", "Rules", "load_rules", "scope_key_name"]

# The parts of an E.164 pattern the contract may write: ^\+[1-9]\d{a,b}$ and its variants.
_PHONE_PATTERN = re.compile(
    r"\^(?P<plus>\\\+\??)(?P<first>\[[0-9]-9\]|\\d)\\d\{(?P<low>\d+),(?P<high>\d+)\}\$"
)


@dataclass(frozen=True)
class PhoneRule:
    """E.164 as the contract reads it: "+", a first digit, then more digits."""

    plus_required: bool = True
    first_digit_nonzero: bool = True
    min_digits: int = 2  # after the +, the first digit included
    max_digits: int = 15

    @classmethod
    def from_pattern(cls, pattern: str) -> PhoneRule:
        match = _PHONE_PATTERN.fullmatch(pattern)
        if match is None:
            raise ValueError(
                f"the contract's E164Phone pattern {pattern!r} is not one this kit reads"
            )
        return cls(
            plus_required=match["plus"] == "\\+",
            first_digit_nonzero=match["first"] == "[1-9]",
            min_digits=int(match["low"]) + 1,
            max_digits=int(match["high"]) + 1,
        )

    @cached_property
    def regex(self) -> re.Pattern[str]:
        # [0-9], not \d: Python's \d also matches non-ASCII digits, which E.164 does not allow.
        plus = r"\+" if self.plus_required else r"\+?"
        first = "[1-9]" if self.first_digit_nonzero else "[0-9]"
        return re.compile(f"{plus}{first}[0-9]{{{self.min_digits - 1},{self.max_digits - 1}}}")

    def matches(self, value: object) -> bool:
        """Whether `value` is a phone number this rule accepts."""
        return isinstance(value, str) and self.regex.fullmatch(value) is not None

    @property
    def hint(self) -> str:
        """The rule in words, for error messages."""
        first = "the first not 0" if self.first_digit_nonzero else "any first digit"
        return f"expected +, then {self.min_digits} to {self.max_digits} digits, {first}"


@dataclass(frozen=True)
class Bounds:
    """An inclusive range of whole numbers."""

    minimum: int
    maximum: int

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int | float) and self.minimum <= value <= self.maximum


def scope_key_name(scope: str) -> str:
    """The [keys] entry of the target config that holds a key with only this scope."""
    return scope.replace(".", "_")


@dataclass(frozen=True)
class Rules:
    """Every value of the API the docs pin, as the contract writes it."""

    phone: PhoneRule
    duration: Bounds
    message_types: tuple[str, ...]
    media_types: tuple[str, ...]  # the types sent as multipart with a file
    sender_statuses: tuple[str, ...]
    sendable_statuses: frozenset[str]
    operations: Mapping[str, Operation] = field(repr=False)
    scopes: Mapping[str, str | None]  # operationId -> the scope it requires (None: none named)
    full_access_scope: str
    key_header: str
    key_prefix: str  # issued keys: this prefix, then key_body_length alphanumerics
    key_body_length: int
    unauthorized_status: int
    forbidden_status: int
    invalid_body_status: int  # the TGO status table's
    invalid_body_generic_status: int  # error-codes.txt's, for the same case (READ-003)
    missing_key_code: str
    invalid_key_code: str
    invalid_phone_code: str
    not_found_code: str
    # The messages the pages document (x-tgo-rules entries named *_message).
    missing_key_message: str
    invalid_key_message: str
    invalid_phone_message: str
    not_found_message: str
    sender_not_active_message: str
    account_not_verified_message: str
    error_schema: Mapping[str, Any] = field(repr=False)
    # The fields the docs promise in each answer they describe (the schemas' required lists).
    sender_fields: tuple[str, ...] = ()
    log_fields: tuple[str, ...] = ()
    lookup_fields: tuple[str, ...] = ()
    # Each x-tgo-rules entry's words: what a check that applies the rule quotes (its basis).
    sentences: Mapping[str, Sentence] = field(default_factory=dict, repr=False)

    @cached_property
    def error_validator(self) -> Draft202012Validator:
        """The error envelope's schema, compiled once (every error response is held to it)."""
        return Draft202012Validator(self.error_schema)

    def replace(self, **changes: Any) -> Rules:
        """A copy with some values changed (a variant of the mock, a test)."""
        return replace(self, **changes)

    @property
    def scoped_operations(self) -> dict[str, str]:
        """Operations whose scope the docs name, with that scope."""
        return {op: scope for op, scope in self.scopes.items() if scope}

    @property
    def single_scope_key_names(self) -> tuple[str, ...]:
        """The [keys] entries for keys holding one scope each, in operation order."""
        return tuple(dict.fromkeys(scope_key_name(s) for s in self.scoped_operations.values()))

    @property
    def key_names(self) -> tuple[str, ...]:
        """Every [keys] entry of the target config: full access, one per scope, revoked."""
        return ("full", *self.single_scope_key_names, "revoked")

    def required_scope(self, operation_id: str) -> str | None:
        return self.scopes[operation_id]

    def basis(self, says: str, *rules: str, reading: str | None = None) -> Basis:
        """The basis of a check that applies these x-tgo-rules entries (two when the pages
        contradict each other on it, the TGO pages' first)."""
        return Basis(
            rule=" | ".join(f"x-tgo-rules.{name}" for name in rules),
            says=says,
            sentences=tuple(self.sentences[name] for name in rules),
            reading=reading,
        )

    def key_format(self) -> re.Pattern[str]:
        """The documented shape of an issued key."""
        return re.compile(f"{re.escape(self.key_prefix)}[A-Za-z0-9]{{{self.key_body_length}}}")


@cache
def load_rules(path: Path | None = None) -> Rules:
    """The rules of the contract at `path` (default: the contract shipped with the kit)."""
    spec = load_spec_from(path or spec_path())
    schemas = spec["components"]["schemas"]
    pinned = {name: entry["value"] for name, entry in spec["x-tgo-rules"].items()}
    media = schemas["SendMediaMessageRequest"]["properties"]
    ops = operations_of(spec)
    return Rules(
        phone=PhoneRule.from_pattern(schemas["E164Phone"]["pattern"]),
        duration=Bounds(int(media["duration"]["minimum"]), int(media["duration"]["maximum"])),
        message_types=tuple(schemas["MessageType"]["enum"]),
        media_types=tuple(media["type"]["enum"]),
        sender_statuses=tuple(schemas["SenderStatus"]["enum"]),
        sendable_statuses=frozenset({str(pinned["sendable_status"])}),
        operations=ops,
        scopes={op_id: op.required_scope for op_id, op in ops.items()},
        full_access_scope=str(pinned["full_access_scope"]),
        key_header=str(pinned["key_header"]),
        key_prefix=str(pinned["key_prefix"]),
        key_body_length=int(pinned["key_body_length"]),
        unauthorized_status=int(pinned["unauthorized_status"]),
        forbidden_status=int(pinned["forbidden_status"]),
        invalid_body_status=int(pinned["invalid_body_status"]),
        invalid_body_generic_status=int(pinned["invalid_body_generic_status"]),
        missing_key_code=str(pinned["missing_key_code"]),
        invalid_key_code=str(pinned["invalid_key_code"]),
        invalid_phone_code=str(pinned["invalid_phone_code"]),
        not_found_code=str(pinned["not_found_code"]),
        missing_key_message=str(pinned["missing_key_message"]),
        invalid_key_message=str(pinned["invalid_key_message"]),
        invalid_phone_message=str(pinned["invalid_phone_message"]),
        not_found_message=str(pinned["not_found_message"]),
        sender_not_active_message=str(pinned["sender_not_active_message"]),
        account_not_verified_message=str(pinned["account_not_verified_message"]),
        error_schema={**schemas["Error"], "components": spec["components"]},
        sender_fields=tuple(schemas["SenderNumber"]["required"]),
        log_fields=tuple(schemas["Message"]["required"]),
        lookup_fields=tuple(schemas["ContactLookup"]["required"]),
        sentences={
            name: Sentence(str(entry["doc"]), str(entry["words"]), str(entry["value"]))
            for name, entry in spec["x-tgo-rules"].items()
        },
    )
