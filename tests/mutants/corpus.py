"""The mutant corpus: the variants of the mock (conformance/mock/variants.py, the one table),
as the scorer and the corpus test read them."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from conformance.mock.behaviour import Behaviour
from conformance.mock.variants import behaviour_of, broken, compatible
from conformance.rules.readings import load_register

# broken variant -> the requirement it breaks
BROKEN: dict[str, str] = {name: str(v.breaks) for name, v in broken().items()}
# compatible variants, and all of them at once
COMPATIBLE: tuple[str, ...] = tuple(compatible())
ALL_COMPATIBLE = ",".join(COMPATIBLE)
# compatible variant -> the requirements whose checks consult the reading it takes (its
# register entry's `checks`), as --tgo-requirements takes them
CONSULTED_BY: dict[str, str] = {
    name: ",".join(load_register().by_id(str(v.reading)).checks) for name, v in compatible().items()
}


def _overrides(behaviour: Behaviour) -> dict[str, Any]:
    """What a behaviour changes in the faithful mock: its rule values, choices and hooks."""
    base = Behaviour()
    changed: dict[str, Any] = {f"hook {hook}": True for hook in behaviour.hooks}
    for part in ("rules", "choices"):
        ours, theirs = getattr(behaviour, part), getattr(base, part)
        for name in (f.name for f in dataclasses.fields(ours)):
            if getattr(ours, name) != getattr(theirs, name):
                changed[f"{part}.{name}"] = getattr(ours, name)
    return changed


def masked_in_all(names: tuple[str, ...] = COMPATIBLE) -> tuple[str, ...]:
    """The compatible variants whose reading the all-at-once run does not hold: another
    variant later in the table overrides a value it sets (the nine paging conventions share one
    choice, so that run pages one way only)."""
    combined = _overrides(behaviour_of(names))
    return tuple(
        name
        for name in names
        if any(
            combined.get(key) != value for key, value in _overrides(behaviour_of([name])).items()
        )
    )


# The default run (CI's) runs alone only the compatible variants the all-at-once run masks: every
# other reading is in effect during that run, which runs the whole quick suite. TGO_CORPUS=full
# (and `nox -s mutants`) runs every compatible variant alone as well.
RUN_ALONE: tuple[str, ...] = (
    COMPATIBLE if os.environ.get("TGO_CORPUS") == "full" else masked_in_all()
)
