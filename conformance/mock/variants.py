"""THE TABLE of mock variants: each breaks one documented rule, or takes one open reading.

A broken variant names the requirement it breaks; the suite must fail that requirement on it
(the mutant corpus, tests/mutants/). A compatible variant names the readings register entry
it takes; the suite must pass it. A variant is data: an override of a rule value, of a choice,
or a named hook (behaviour.py), never a copy of the mock's code. The rows live in
broken_variants.py and compatible_variants.py; what a variant is, in variant.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from conformance.mock.behaviour import HOOKS, Behaviour, Choices
from conformance.mock.broken_variants import BROKEN
from conformance.mock.compatible_variants import COMPATIBLE
from conformance.mock.variant import Variant

VARIANTS: tuple[Variant, ...] = BROKEN + COMPATIBLE

BY_NAME: dict[str, Variant] = {variant.name: variant for variant in VARIANTS}


class UnknownVariant(ValueError):
    """A variant name that is not in the table; str() lists the known ones."""


def broken() -> dict[str, Variant]:
    return {v.name: v for v in VARIANTS if not v.compatible}


def compatible() -> dict[str, Variant]:
    return {v.name: v for v in VARIANTS if v.compatible}


def behaviour_of(names: Iterable[str], base: Behaviour | None = None) -> Behaviour:
    """The behaviour of the mock with these variants applied, in order (none: the faithful
    mock)."""
    behaviour = base or Behaviour()
    for name in names:
        try:
            variant = BY_NAME[name]
        except KeyError:
            raise UnknownVariant(f"unknown mock variant {name!r}") from None
        behaviour = variant.apply(behaviour)
    return behaviour


def _check_table() -> None:
    if len(BY_NAME) != len(VARIANTS):
        raise ValueError("two variants share a name")
    if any(v.compatible for v in BROKEN) or not all(v.compatible for v in COMPATIBLE):
        raise ValueError("a row is in the wrong table")
    unknown_hooks = {h for v in VARIANTS for h in v.hooks} - HOOKS
    if unknown_hooks:
        raise ValueError(f"variants name unknown hooks: {sorted(unknown_hooks)}")
    unknown_choices = {c for v in VARIANTS for c in v.choices} - set(Choices.__dataclass_fields__)
    if unknown_choices:
        raise ValueError(f"variants name unknown choices: {sorted(unknown_choices)}")


_check_table()
