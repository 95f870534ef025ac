"""Staging-like networks for the kit's own tests: the mock over TLS with a private CA (one front
also requiring a client certificate), and a CONNECT proxy, all on 127.0.0.1 free ports, each
stopped by the test that started it. The tests make the certificates (trustme)."""

from __future__ import annotations

import select
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import trustme

from conformance.config import TargetConfig
from conformance.mock.app import create_app
from conformance.mock.fixtures import seed, target_config
from conformance.mock.models import State
from conformance.mock.serving import serve_asgi


@dataclass(frozen=True)
class Certificates:
    """PEM files of one private CA, the server certificate it signed for 127.0.0.1, and a
    client certificate with its key (apart, and together in one file)."""

    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    client_combined: Path
    other_ca: Path  # a CA that signed nothing here


def make_certificates(directory: Path) -> Certificates:
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    client = ca.issue_cert("conformance-client@example.com")
    paths = Certificates(
        ca=directory / "internal-ca.pem",
        server_cert=directory / "server.pem",
        server_key=directory / "server.key",
        client_cert=directory / "client.pem",
        client_key=directory / "client.key",
        client_combined=directory / "client-and-key.pem",
        other_ca=directory / "other-ca.pem",
    )
    ca.cert_pem.write_to_path(str(paths.ca))
    server.cert_chain_pems[0].write_to_path(str(paths.server_cert))
    server.private_key_pem.write_to_path(str(paths.server_key))
    client.cert_chain_pems[0].write_to_path(str(paths.client_cert))
    client.private_key_pem.write_to_path(str(paths.client_key))
    client.private_key_and_cert_chain_pem.write_to_path(str(paths.client_combined))
    trustme.CA().cert_pem.write_to_path(str(paths.other_ca))
    return paths


@contextmanager
def tls_mock(certs: Certificates, *, require_client_cert: bool = False) -> Iterator[TargetConfig]:
    """The seeded mock over HTTPS on a free 127.0.0.1 port; yields its target config (without
    [tls]: the test adds what it means to test)."""
    state = State()
    seeded = seed(state)
    ssl_settings: dict[str, object] = {
        "ssl_certfile": str(certs.server_cert),
        "ssl_keyfile": str(certs.server_key),
    }
    if require_client_cert:
        ssl_settings |= {"ssl_ca_certs": str(certs.ca), "ssl_cert_reqs": ssl.CERT_REQUIRED}
    with serve_asgi(create_app(state), **ssl_settings) as base_url:
        https = base_url.replace("http://", "https://", 1)
        yield replace(target_config(https, seeded), rate_limit=0.0)


class ConnectProxy:
    """A small HTTP proxy on 127.0.0.1 that tunnels CONNECT requests, and counts them."""

    def __init__(self) -> None:
        self.tunnels: list[str] = []  # host:port of each CONNECT
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> ConnectProxy:
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self._threads.append(accept)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
            method, target, _ = request_line.split(" ", 2)
            if method != "CONNECT":
                client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            host, _, port = target.rpartition(":")
            if host not in ("127.0.0.1", "localhost"):
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            self.tunnels.append(target)
            with socket.create_connection((host, int(port)), timeout=10) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self._pipe(client, upstream)

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        while not self._stop.is_set():
            readable, _, _ = select.select([a, b], [], [], 0.2)
            for source in readable:
                data = source.recv(65536)
                if not data:
                    return
                (b if source is a else a).sendall(data)
