"""A test's verdict from its recorded checks: a failed MUST fails it, unless waivers cover every
such failure (then it is waived); a failed SHOULD or MAY only warns."""

from __future__ import annotations

import warnings

import pytest

from conformance.rules.catalogue import Catalogue
from conformance.verify import CheckRecord, ConformanceFailure, Verifier, summarize_failures
from conformance.waivers import Waivers


class ConformanceWarning(UserWarning):
    """A SHOULD or MAY requirement failed: reported, without failing the test run."""


def must_failures(catalogue: Catalogue, failures: list[CheckRecord]) -> list[CheckRecord]:
    return [f for f in failures if catalogue.by_id(f.requirement).level == "MUST"]


def xfail_if_waived(
    item: pytest.Item, verifier: Verifier, catalogue: Catalogue, waivers: Waivers
) -> None:
    """A test whose every failed MUST check a waiver covers is waived (an expected failure
    for pytest: skipped with the reason in junit.xml), not failed."""
    must = must_failures(catalogue, verifier.failures())
    covering = [waivers.covering(f.requirement, item.nodeid) for f in must]
    if must and all(covering):
        notes = dict.fromkeys(
            f"{f.requirement}: {w.note()}" for f, w in zip(must, covering, strict=True) if w
        )
        pytest.xfail("waived: " + "; ".join(notes))


def judge(
    item: pytest.Item,
    verifier: Verifier,
    catalogue: Catalogue,
    waivers: Waivers,
    stopped: ConformanceFailure | None,
) -> None:
    """Fail, waive or warn, once the envelope of every error the test saw is checked (only
    then is it known whether waivers cover every failure). `stopped`: a require() that
    stopped the test."""
    if stopped is not None:
        xfail_if_waived(item, verifier, catalogue, waivers)
        raise stopped
    failures = verifier.failures()
    if not failures:
        return
    if must_failures(catalogue, failures):
        xfail_if_waived(item, verifier, catalogue, waivers)
        raise ConformanceFailure(summarize_failures(failures))
    warnings.warn(ConformanceWarning(summarize_failures(failures)), stacklevel=1)
