"""One deadline for a whole exchange, headers and body, under httpx's connection pools."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx


class ExchangeDeadline(threading.local):
    """When the current thread's exchange must be over (time.monotonic()), or None."""

    at: float | None = None
    limit: float = 0.0

    def start(self, seconds: float) -> None:
        self.at, self.limit = time.monotonic() + seconds, seconds

    def stop(self) -> None:
        self.at = None

    def bound(self, timeout: float | None, error: type[Exception]) -> float | None:
        """`timeout` shortened to what is left of the exchange; `error` when nothing is."""
        if self.at is None:
            return timeout
        left = self.at - time.monotonic()
        if left <= 0:
            raise error(f"no complete response within {self.limit}s")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read and write ends by the exchange deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: ExchangeDeadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.bound(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.bound(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = self._deadline.bound(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._stream.start_tls(ssl_context, server_hostname, bounded), self._deadline
        )

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend, deadline: ExchangeDeadline) -> None:
        self._backend = backend
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = self._deadline.bound(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, bounded, local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = self._deadline.bound(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_unix_socket(path, bounded, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def bound_every_exchange(http: httpx.Client, deadline: ExchangeDeadline) -> bool:
    """Put the exchange deadline under every connection pool `http` made; False if none.

    httpx reads and writes with a per-operation timeout, so a server that sends one byte
    every few seconds would hold a request for ever. httpx offers no public way to choose
    httpcore's network backend, so this wraps the one of each pool it made (the direct one
    and any for proxies from the environment): httpx.Client._transport/_mounts,
    HTTPTransport._pool, httpcore's ConnectionPool._network_backend (httpx 0.28, httpcore 1).
    tests/hostile proves it still holds; a transport the caller gives is left as it is.
    """
    wrapped = False
    transports = [getattr(http, "_transport", None), *getattr(http, "_mounts", {}).values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend) and not isinstance(
            backend, _DeadlineBackend
        ):
            pool._network_backend = _DeadlineBackend(backend, deadline)  # type: ignore[union-attr]
            wrapped = True
    return wrapped
