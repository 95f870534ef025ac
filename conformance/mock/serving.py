"""Serving an ASGI app with uvicorn on a loopback port: the one way the kit does it.

The bundled mock's command and the embedded mock of a run use it, and so do the kit's own tests
for every server they start (hostile fronts, echo servers, the mock itself).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

STARTUP_TIMEOUT_S = 10.0


class AnnouncingServer(uvicorn.Server):
    """A uvicorn server that calls `on_ready` once it accepts connections."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._on_ready()


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket on host:port (port 0 = a free port chosen by the OS)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio sets TCP_NODELAY on accepted sockets only when it does, and
    # without it every response waits ~40 ms on delayed ACKs (22 req/s instead of ~1700).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def base_url_for(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@contextmanager
def serve_asgi(app: Any, host: str = "127.0.0.1", **config: Any) -> Iterator[str]:
    """Serve `app` on a free port of `host` in a background thread; yields its base URL and
    stops the server when the block ends. `config` goes to uvicorn.Config."""
    sock = bind_socket(host, 0)
    base_url = base_url_for(host, int(sock.getsockname()[1]))
    ready = threading.Event()
    settings = {"log_level": "error", "lifespan": "off", "access_log": False, **config}
    server = AnnouncingServer(uvicorn.Config(app, **settings), ready.set)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        if not ready.wait(STARTUP_TIMEOUT_S):
            raise RuntimeError(f"the server did not start within {STARTUP_TIMEOUT_S} s")
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT_S)
        sock.close()
