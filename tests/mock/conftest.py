"""Fixtures for the mock's own tests: an in-process client over a freshly seeded mock."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # a checkout run without `pip install -e .`
    sys.path.insert(0, str(ROOT))

from tgo_mock_client import MakeMock, MockClient, TestClient  # noqa: E402

from conformance.mock import Behaviour, Seeded, State, behaviour_of, create_app, models, seed  # noqa: E402
from conformance.mock.serving import serve_asgi  # noqa: E402


def _build(
    behaviour: Behaviour | None = None,
    *,
    names: list[str] | None = None,
    control: bool = False,
    raise_server_exceptions: bool = True,
) -> MockClient:
    chosen = behaviour or behaviour_of(names or [])
    state = State()
    seeded = seed(state)
    app = create_app(state, control=control, behaviour=chosen)
    client = TestClient(app, raise_server_exceptions=raise_server_exceptions)
    client.__enter__()
    return MockClient(client, state, seeded, chosen)


@pytest.fixture
def make_mock() -> Iterator[MakeMock]:
    """Build mocks: make_mock(behaviour, names=[variant, ...], control=...,
    raise_server_exceptions=...)."""
    built: list[MockClient] = []

    def build(*args: Any, **kwargs: Any) -> MockClient:
        built.append(_build(*args, **kwargs))
        return built[-1]

    yield build
    for mock in built:
        mock.client.__exit__(None, None, None)


@pytest.fixture
def mock(make_mock: MakeMock) -> MockClient:
    """The faithful mock; a server error raises in the test (no bad input may cause one)."""
    return make_mock()


@pytest.fixture(scope="module")
def module_mock() -> Iterator[MockClient]:
    """One faithful mock for a whole module (for hypothesis tests that call it many times)."""
    mock = _build()
    yield mock
    mock.client.__exit__(None, None, None)


@dataclass(frozen=True)
class LiveMock:
    """A seeded mock served by uvicorn on a free loopback port."""

    base_url: str
    state: State
    seeded: Seeded


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port; yields its base URL."""
    with serve_asgi(app, log_level="warning") as base_url:
        yield base_url


@pytest.fixture(scope="module")
def live_mock() -> Iterator[LiveMock]:
    """The faithful seeded mock over real HTTP for a whole module."""
    state = State()
    seeded = seed(state)
    with serving(create_app(state)) as base_url:
        yield LiveMock(base_url, state, seeded)


T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


class Clock:
    """A clock the Backend reads (models.utc_now), moved by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Stops the mock's clock at T0 (2026-12-01T10:00:00Z) until the test moves it."""
    clock = Clock()
    monkeypatch.setattr(models, "utc_now", clock)
    return clock
