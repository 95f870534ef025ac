"""The bundled mock served on a free loopback port in a background thread of this process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from conformance.config import TargetConfig
from conformance.mock.app import create_app
from conformance.mock.behaviour import Behaviour
from conformance.mock.fixtures import seed, target_config
from conformance.mock.models import State
from conformance.mock.serving import serve_asgi


@dataclass(frozen=True)
class RunningMock:
    base_url: str
    config: TargetConfig  # the target config describing it (holds its keys: never print it)


@contextmanager
def embedded_mock(behaviour: Behaviour | None = None) -> Iterator[RunningMock]:
    """Serve a freshly seeded mock on 127.0.0.1 until the block ends."""
    state = State()
    seeded = seed(state)
    with serve_asgi(create_app(state, behaviour=behaviour)) as base_url:
        yield RunningMock(base_url, target_config(base_url, seeded, behaviour))
