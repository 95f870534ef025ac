"""Which tests a run keeps: the requirements a test declares, and --tgo-requirements."""

from __future__ import annotations

import pytest


def declared_requirements(item: pytest.Item) -> tuple[str, ...]:
    """The requirement IDs a test's markers name, in order, once each."""
    ids: list[str] = []
    for marker in item.iter_markers("requirement"):
        ids.extend(str(arg) for arg in marker.args)
    return tuple(dict.fromkeys(ids))


def requirements_option(config: pytest.Config) -> frozenset[str] | None:
    """The requirements --tgo-requirements names (None when not given)."""
    value = config.getoption("--tgo-requirements", None)
    if not value:
        return None
    return frozenset(r.strip() for r in str(value).split(",") if r.strip())
