"""Which arguments after `--` name tests of the shipped suite.

pytest reads a node id (`test_auth.py::test_x[a b]`) relative to the directory it was started
from, and the runner always names the suite's folder too (which selects every test). A run
given suite node ids reads them relative to the suite, and runs only them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

SUITE_DIR = Path(__file__).resolve().parent / "suite"

# pytest options whose value may look like a node id: the value is theirs, not a test to run.
_TAKING_A_VALUE = frozenset({"-k", "-m", "-p", "-o", "-W", "-c", "--deselect", "--rootdir"})


def suite_path(arg: str) -> Path | None:
    """The suite file (absolute) a node id or file argument names, or None."""
    if arg.startswith("-") or not arg:
        return None
    file_part = Path(arg.split("::", 1)[0])
    candidate = (file_part if file_part.is_absolute() else SUITE_DIR / file_part).resolve()
    if candidate.suffix != ".py" or not candidate.is_file():
        return None
    return candidate if candidate.is_relative_to(SUITE_DIR) else None


def _positions_of_named_tests(args: Sequence[str]) -> list[int]:
    return [
        index
        for index, arg in enumerate(args)
        if suite_path(arg) is not None and (index == 0 or args[index - 1] not in _TAKING_A_VALUE)
    ]


def resolve_named_tests(args: Sequence[str]) -> tuple[list[str], bool]:
    """`args` with each suite node id made absolute, and whether any named a test."""
    positions = set(_positions_of_named_tests(args))
    resolved = []
    for index, arg in enumerate(args):
        if index in positions:
            path = suite_path(arg)
            assert path is not None
            _, sep, rest = arg.partition("::")
            arg = f"{path}{sep}{rest}"
        resolved.append(arg)
    return resolved, bool(positions)


def without_named_tests(args: Sequence[str]) -> list[str]:
    """`args` without the suite node ids they name (a rerun names its own tests)."""
    positions = set(_positions_of_named_tests(args))
    return [arg for index, arg in enumerate(args) if index not in positions]
