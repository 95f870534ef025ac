"""A waiver ready to paste into a --waivers file, for a team that accepts a failed requirement's
deviation (docs/target-config.md, "Waivers"): its tests, a reason, who accepted it, until when."""

from __future__ import annotations

import glob
from collections.abc import Sequence
from datetime import date, timedelta

import tomli_w

# How long a pasted waiver holds unless the team changes it: a deviation accepted for good
# should still be looked at again.
WAIVER_DAYS = 30
REASON_PLACEHOLDER = "<why the deviation is accepted>"
ACCEPTED_BY_PLACEHOLDER = "<who accepted it>"


def tests_pattern(tests: Sequence[str]) -> str | None:
    """An fnmatch pattern of the failing tests: the test itself when it is one; else their
    common node id prefix (None when they share no module: the waiver covers every test).
    Node ids hold brackets, which fnmatch reads as character sets: they are escaped."""
    if not tests:
        return None
    if len(tests) == 1:
        return glob.escape(tests[0])
    # The common prefix of the first and last in sorted order is every one's; compared character
    # by character, since "file::test[a-" is a prefix worth keeping.
    first, last = min(tests), max(tests)
    length = next(
        (i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), len(first)
    )
    prefix = first[:length]
    if "::" not in prefix:
        return None
    return glob.escape(prefix) + "*"


def waiver_snippet(requirement: str, failing_tests: Sequence[str], seen_on: date) -> str:
    """The `[[waiver]]` block (TOML) for `requirement` failing in `failing_tests`."""
    entry: dict[str, object] = {"requirement": requirement}
    pattern = tests_pattern(failing_tests)
    if pattern is not None:
        entry["tests"] = pattern
    entry["reason"] = REASON_PLACEHOLDER
    entry["accepted_by"] = ACCEPTED_BY_PLACEHOLDER
    entry["expires"] = seen_on + timedelta(days=WAIVER_DAYS)
    return tomli_w.dumps({"waiver": [entry]})
