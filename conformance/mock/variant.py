"""What a variant of the mock is, and the constructors the table (variants.py) is written with.

A variant is data: an override of a rule value, of a choice, or a named hook (behaviour.py),
never a copy of the mock's code. A broken variant names the requirement it breaks; a compatible
one names the readings register entry it takes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from conformance.mock.behaviour import Behaviour
from conformance.rules.values import Bounds, Rules

RuleChange = Callable[[Rules], Mapping[str, Any]]


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    breaks: str | None = None  # the requirement a broken variant breaks
    reading: str | None = None  # the readings register entry a compatible variant takes
    rules: RuleChange | None = None
    choices: Mapping[str, Any] = field(default_factory=dict)
    hooks: frozenset[str] = frozenset()

    @property
    def compatible(self) -> bool:
        return self.breaks is None

    def apply(self, behaviour: Behaviour) -> Behaviour:
        rules = behaviour.rules
        if self.rules is not None:
            rules = rules.replace(**self.rules(rules))
        return Behaviour(
            rules=rules,
            choices=replace(behaviour.choices, **self.choices),
            hooks=behaviour.hooks | self.hooks,
        )


def broken(name: str, breaks: str, description: str, **kwargs: Any) -> Variant:
    hooks = frozenset(kwargs.pop("hooks", ()))
    return Variant(name, description, breaks=breaks, hooks=hooks, **kwargs)


def hook(name: str, breaks: str, description: str) -> Variant:
    """A broken variant that is one hook of the same name."""
    return broken(name, breaks, description, hooks={name})


def compatible(
    name: str, reading: str, description: str, *, rules: RuleChange | None = None, **choices: Any
) -> Variant:
    return Variant(name, description, reading=reading, rules=rules, choices=choices)


# --- rule changes ---


def no_scope(operation: str) -> RuleChange:
    return lambda r: {"scopes": {**r.scopes, operation: None}}


def sendable(status: str) -> RuleChange:
    return lambda r: {"sendable_statuses": r.sendable_statuses | {status}}


def phone(**change: Any) -> RuleChange:
    return lambda r: {"phone": replace(r.phone, **change)}


def phone_digits(low: int = 0, high: int = 0) -> RuleChange:
    return lambda r: {
        "phone": replace(
            r.phone, min_digits=r.phone.min_digits + low, max_digits=r.phone.max_digits + high
        )
    }


def duration(low: int = 0, high: int = 0) -> RuleChange:
    return lambda r: {"duration": Bounds(r.duration.minimum + low, r.duration.maximum + high)}
