"""No orphans: every requirement has a test or a stated reason; every test's IDs exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.rules.catalogue import load_catalogue

SUITE = Path(__file__).resolve().parent.parent / "conformance" / "suite"


class _Collector:
    def __init__(self) -> None:
        self.ids_by_test: dict[str, set[str]] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            ids = {str(a) for m in item.iter_markers("requirement") for a in m.args}
            self.ids_by_test[item.nodeid] = ids


@pytest.fixture(scope="module")
def suite_markers() -> dict[str, set[str]]:
    collector = _Collector()
    code = pytest.main(
        [
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "-c",
            str(SUITE / "pytest.ini"),
            "--rootdir",
            str(SUITE),
            str(SUITE),
        ],
        plugins=[collector],
    )
    assert code == 0, "the suite does not collect"
    return collector.ids_by_test


def test_every_suite_test_names_requirements(suite_markers: dict[str, set[str]]) -> None:
    unnamed = [test for test, ids in suite_markers.items() if not ids]
    assert not unnamed, f"tests without a requirement marker: {unnamed}"


def test_every_named_requirement_is_in_the_catalogue(suite_markers: dict[str, set[str]]) -> None:
    known = set(load_catalogue().ids())
    unknown = {
        f"{test}: {req}" for test, ids in suite_markers.items() for req in ids if req not in known
    }
    assert not unknown, f"tests name IDs the catalogue lacks: {sorted(unknown)}"


def test_every_requirement_has_a_test_or_a_reason(suite_markers: dict[str, set[str]]) -> None:
    covered = set().union(*suite_markers.values())
    orphans = [
        req.id
        for req in load_catalogue().requirements
        if req.id not in covered and not req.not_tested
    ]
    assert not orphans, f"requirements with no test and no not_tested reason: {orphans}"


def test_requirements_marked_untestable_have_no_test_claiming_them(
    suite_markers: dict[str, set[str]],
) -> None:
    covered = set().union(*suite_markers.values())
    claimed = [r.id for r in load_catalogue().requirements if r.not_tested and r.id in covered]
    assert not claimed, f"marked not_tested yet named by a test: {claimed}"
