"""The bundled mock served on a free loopback port in a background thread of this process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from conformance.config import TargetConfig
from conformance.mock.app import create_app
from conformance.mock.behaviour import Behaviour
from conformance.mock.command import AnnouncingServer, base_url_for, bind_socket
from conformance.mock.fixtures import seed, target_config
from conformance.mock.models import State

STARTUP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class RunningMock:
    base_url: str
    config: TargetConfig  # the target config describing it (holds its keys: never print it)


@contextmanager
def embedded_mock(behaviour: Behaviour | None = None) -> Iterator[RunningMock]:
    """Serve a freshly seeded mock on 127.0.0.1 until the block ends."""
    state = State()
    seeded = seed(state)
    app = create_app(state, behaviour=behaviour)
    sock = bind_socket("127.0.0.1", 0)
    base_url = base_url_for("127.0.0.1", int(sock.getsockname()[1]))
    ready = threading.Event()
    config = uvicorn.Config(app, log_level="error", lifespan="off", access_log=False)
    server = AnnouncingServer(config, ready.set)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        if not ready.wait(STARTUP_TIMEOUT_S):
            raise RuntimeError(f"the embedded mock did not start within {STARTUP_TIMEOUT_S} s")
        yield RunningMock(base_url, target_config(base_url, seeded, behaviour))
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT_S)
        sock.close()
