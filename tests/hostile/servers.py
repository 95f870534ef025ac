"""Hostile targets: real servers on 127.0.0.1 that misbehave the way servers under development do.

`HostileFront` listens on a free loopback port. Each request it receives goes to its rule;
when the rule returns an action (hang, trickle, reset, truncate, an HTML 502, a 300 MB body,
a 429, a redirect...) the front does that on the raw socket; otherwise it forwards the request
to the bundled mock behind it, so the rest of the target behaves. Every connection answers
one request and is closed. Each test starts its front and mock and stops them.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

from conformance.config import dump_toml
from conformance.mock.app import create_app
from conformance.mock.fixtures import Seeded, seed, target_config
from conformance.mock.models import State
from conformance.mock.serving import serve_asgi

PREFLIGHT = "/api/v1/sender-numbers"  # the runner's one read before the suite starts
CHUNK = 64 * 1024
POLL_S = 0.05


@dataclass
class Request:
    """One request as the front received it."""

    number: int  # 1 for the first request the front received
    method: str
    target: str  # path and query
    headers: dict[str, str]  # names in lower case
    arrived: float  # time.monotonic() when its connection was accepted
    ended: float | None = None  # when the front was done with the connection
    action: str = "forwarded"
    bytes_sent: int = 0  # of the response

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


class Connection:
    """The socket of one request, for an action to misbehave on."""

    def __init__(self, sock: socket.socket, stop: threading.Event) -> None:
        self.sock = sock
        self.stop = stop
        self.bytes_sent = 0

    def send(self, data: bytes) -> bool:
        """False once the client has gone."""
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        self.bytes_sent += len(data)
        return True

    def wait_for_hangup(self, limit: float = 120.0) -> None:
        """Until the client closes its end (or the test stops the front)."""
        self.sock.settimeout(POLL_S)
        deadline = time.monotonic() + limit
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                if not self.sock.recv(CHUNK):
                    return
            except TimeoutError:
                continue
            except OSError:
                return

    def sleep(self, seconds: float) -> bool:
        """False when the front is stopping."""
        return not self.stop.wait(seconds)


Action = Callable[[Connection], None]
Rule = Callable[[Request], Action | None]


def head(status: int, headers: dict[str, str], length: int | None) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


_REASONS = {
    200: "OK",
    307: "Temporary Redirect",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def respond(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Action:
    """A complete response."""

    def act(conn: Connection) -> None:
        conn.send(head(status, headers or {}, len(body)) + body)

    return act


HTML_502 = (
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    b"</h1></center><hr><center>nginx</center></body></html>\r\n"
)


def html_502() -> Action:
    """What a reverse proxy in front of a dead application answers."""
    return respond(502, HTML_502, {"Content-Type": "text/html"})


def hang() -> Action:
    """Reads the request and never answers."""
    return lambda conn: conn.wait_for_hangup()


def trickle(every: float) -> Action:
    """Sends a valid-looking response one byte every `every` seconds, never finishing."""
    text = head(200, {"Content-Type": "application/json"}, 1_000_000) + b"[" + b" " * 1_000_000

    def act(conn: Connection) -> None:
        for byte in text:
            if not conn.send(bytes([byte])) or not conn.sleep(every):
                return

    return act


def reset() -> Action:
    """Closes with a TCP RST instead of an answer."""

    def act(conn: Connection) -> None:
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    return act


def truncated() -> Action:
    """Promises 4096 bytes of JSON, sends the start of it, hangs up."""
    start = b'{"data": [{"id": 1, "sender_number_id": 12, "message_type": "text", "cont'

    def act(conn: Connection) -> None:
        conn.send(head(200, {"Content-Type": "application/json"}, 4096) + start)

    return act


def huge(total: int) -> Action:
    """A `total`-byte JSON array, streamed until the client stops reading."""

    def act(conn: Connection) -> None:
        if not conn.send(head(200, {"Content-Type": "application/json"}, total) + b"["):
            return
        chunk = b"0," * (CHUNK // 2)
        while conn.bytes_sent + len(chunk) < total and not conn.stop.is_set():
            if not conn.send(chunk):
                return
        conn.send(b"0]"[: max(0, total - conn.bytes_sent)])

    return act


def gzip_bomb(total: int) -> Action:
    """A small gzip body that inflates to `total` bytes of JSON."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    parts = [packer.compress(b"[")]
    zeros = b"0," * (CHUNK * 8)
    for _ in range(total // len(zeros)):
        parts.append(packer.compress(zeros))
    parts.append(packer.compress(b"0]") + packer.flush())
    body = b"".join(parts)
    return respond(200, body, {"Content-Type": "application/json", "Content-Encoding": "gzip"})


def too_many_requests(retry_after: str | None) -> Action:
    headers = {"Content-Type": "application/json"}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    body = b'{"message": "Too many requests.", "code": "rate_limited"}'
    return respond(429, body, headers)


@dataclass
class HostileFront:
    """A loopback server that runs `rule` on each request and forwards the rest upstream."""

    rule: Rule
    upstream: str | None = None
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(POLL_S)
        self.port = int(self._listener.getsockname()[1])
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._forward = httpx.Client(base_url=self.upstream or "http://invalid", timeout=30)
        self._accepting = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> HostileFront:
        self._accepting.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._accepting.join(5)
        for thread in list(self._threads):
            thread.join(5)
        self.die()
        self._forward.close()

    def die(self) -> None:
        """Stop listening: from now on a connection attempt is refused."""
        self._listener.close()

    def seen(self, path: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if path is None or r.path == path]

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # died
            accepted = time.monotonic()  # as near the client's send as this side can see
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            thread = threading.Thread(target=self._serve, args=(sock, accepted), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket, accepted: float) -> None:
        with sock:
            parsed = self._read_request(sock, accepted)
            if parsed is None:
                return
            request, body = parsed
            action = self.rule(request)
            conn = Connection(sock, self.stop)
            try:
                if action is None:
                    self._relay(conn, request, body)
                else:
                    # The factory's name: "hang", "respond", ... ("forwarded" otherwise).
                    request.action = getattr(action, "__qualname__", "action").split(".")[0]
                    action(conn)
            finally:
                request.bytes_sent = conn.bytes_sent
                request.ended = time.monotonic()

    def _read_request(self, sock: socket.socket, accepted: float) -> tuple[Request, bytes] | None:
        sock.settimeout(10)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(CHUNK)
                if not chunk:
                    return None
                data += chunk
            raw_head, _, body = data.partition(b"\r\n\r\n")
            lines = raw_head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            while len(body) < length:
                chunk = sock.recv(CHUNK)
                if not chunk:
                    return None
                body += chunk
        except (OSError, ValueError):
            return None
        with self._lock:
            request = Request(len(self.requests) + 1, method, target, headers, accepted)
            self.requests.append(request)
        return request, body

    def _relay(self, conn: Connection, request: Request, body: bytes) -> None:
        hop_by_hop = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}
        headers = {k: v for k, v in request.headers.items() if k not in hop_by_hop}
        upstream = self._forward.request(
            request.method, request.target, headers=headers, content=body
        )
        passed = {
            k: v
            for k, v in upstream.headers.items()
            if k.lower() not in hop_by_hop | {"content-encoding"}
        }
        conn.send(head(upstream.status_code, passed, len(upstream.content)) + upstream.content)


@contextmanager
def served_mock() -> Iterator[tuple[str, Seeded]]:
    """The bundled mock, freshly seeded, by uvicorn on a free loopback port."""
    state = State()
    seeded = seed(state)
    with serve_asgi(create_app(state)) as base_url:
        yield base_url, seeded


@dataclass(frozen=True)
class Target:
    front: HostileFront
    config_path: Path
    secrets: tuple[str, ...]  # every key in the config: none may appear in any output


@contextmanager
def hostile_target(
    directory: Path,
    rule: Rule,
    *,
    timeout: float = 1.0,
    rate_limit: float = 0.0,
    allow_writes: bool = False,
) -> Iterator[Target]:
    """The mock behind a hostile front, and a target config (TOML) that points at the front."""
    with served_mock() as (upstream, seeded), HostileFront(rule, upstream) as front:
        config = replace(
            target_config(front.base_url, seeded),
            timeout=timeout,
            rate_limit=rate_limit,
            allow_writes=allow_writes,
        )
        path = directory / "hostile-target.toml"
        path.write_text(dump_toml(config), encoding="utf-8")
        yield Target(front, path, tuple(seeded.keys.as_dict().values()))


def on(path: str, action: Callable[[], Action], *, method: str = "GET") -> Rule:
    """A rule: misbehave on every `method path` except the runner's preflight read."""

    def rule(request: Request) -> Action | None:
        if request.number > 1 and request.method == method and request.path == path:
            return action()
        return None

    return rule
