"""A run of the suite that several tests only read, made once per test session.

Under xdist each worker is its own process, and a session- or module-scoped fixture runs once
in every worker that gets one of its tests: with `--dist worksteal` that is usually both. The
first worker to ask makes the run; the others wait on a lock and read what it left.
"""

from __future__ import annotations

import fcntl
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")


def made_once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], T]) -> T:
    """make(directory), once for the whole session; `name` tells the shared runs apart. What
    make returns is pickled for the other workers, so it holds data and paths, never a live
    object (a server, an open file)."""
    workers_share = factory.getbasetemp().parent if os.environ.get("PYTEST_XDIST_WORKER") else None
    root = workers_share or factory.getbasetemp()
    directory = root / f"shared-{name}"
    with (root / f"shared-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        made = directory / "made.pickle"
        if made.is_file():
            loaded: T = pickle.loads(made.read_bytes())
            return loaded
        directory.mkdir(exist_ok=True)
        value = make(directory)
        made.write_bytes(pickle.dumps(value))
        return value
