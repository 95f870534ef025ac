"""TargetClient against real HTTP servers on loopback, and the cross-process rate limiter.

The servers are tiny starlette apps run by uvicorn on a free 127.0.0.1 port,
started and stopped inside this module (tests/conftest.py belongs to others).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import httpx
import pytest
from leaks import assert_no_key_piece
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from conformance.config import Sender, TargetConfig
from conformance.http.bodies import BodyStore
from conformance.http.client import (
    KeyNotConfigured,
    TargetClient,
    TargetTimeout,
    TargetUnreachable,
)
from conformance.http.curl import CurlWriter
from conformance.http.evidence import Exchange, ResponseNotJSON
from conformance.http.multipart import FilePart
from conformance.http.ratelimit import RateLimiter
from conformance.mock.serving import serve_asgi
from conformance.redact import Redactor, mask_key

REPO = Path(__file__).resolve().parents[1]
FULL_KEY = "trk_FULLfull0123456789abcdefghijKLMN"
READ_KEY = "trk_READread0123456789abcdefghijOPQR"
CHUNK = 64 * 1024
# How long /slow and /drip wait for their release: only a bound for a client that never gives up.
RELEASE_PATIENCE_S = 30.0


# --- servers ------------------------------------------------------------------


@dataclass
class Seen:
    """What a test server received, in order."""

    requests: list[dict[str, object]] = field(default_factory=list)
    # /slow and /drip hold their answer until the test releases them (at its end at the latest),
    # and say here when they finished: a client that gave up first never saw the end.
    release: threading.Event = field(default_factory=threading.Event)
    finished: list[str] = field(default_factory=list)


def build_app(seen: Seen, redirect_to: str = "") -> Starlette:
    async def record(request: Request) -> dict[str, object]:
        body = await request.body()
        entry: dict[str, object] = {
            "at": time.time(),
            "method": request.method,
            "path": request.url.path,
            "query": request.url.query,
            "headers": dict(request.headers),
            "body": body.decode("utf-8", "replace"),
        }
        seen.requests.append(entry)
        return entry

    async def echo(request: Request) -> Response:
        return JSONResponse(await record(request))

    async def upload(request: Request) -> Response:
        async with request.form() as form:
            media = form["media"]
            assert not isinstance(media, str)
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
            return JSONResponse(
                {
                    "fields": fields,
                    "filename": media.filename,
                    "type": media.content_type,
                    "size": len(await media.read()),
                }
            )

    async def redirect(request: Request) -> Response:
        await record(request)
        return Response(status_code=307, headers={"Location": f"{redirect_to}/capture"})

    async def big(request: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(4096):  # 256 MiB if anyone read it all
                yield b"x" * CHUNK

        return StreamingResponse(chunks(), media_type="application/json")

    async def drip(request: Request) -> Response:
        async def bytes_slowly() -> AsyncIterator[bytes]:
            for _ in range(int(RELEASE_PATIENCE_S / 0.1)):
                if seen.release.is_set():
                    break
                await anyio.sleep(0.1)
                yield b" "
            seen.finished.append("/drip")

        return StreamingResponse(bytes_slowly(), media_type="application/json")

    async def slow(request: Request) -> Response:
        await anyio.to_thread.run_sync(seen.release.wait, RELEASE_PATIENCE_S)
        seen.finished.append("/slow")
        return JSONResponse({})

    async def text(request: Request) -> Response:
        return PlainTextResponse("<html>not json</html>")

    return Starlette(
        routes=[
            Route("/echo", echo, methods=["GET", "POST", "PUT", "DELETE"]),
            Route("/capture", echo, methods=["GET", "POST"]),
            Route("/upload", upload, methods=["POST"]),
            Route("/redirect", redirect, methods=["GET", "POST"]),
            Route("/big", big),
            Route("/drip", drip),
            Route("/slow", slow),
            Route("/text", text),
        ]
    )


@contextmanager
def serve(app: Starlette) -> Iterator[str]:
    """Run `app` with uvicorn on a free loopback port for the duration of the block."""
    with serve_asgi(app, log_level="warning", timeout_graceful_shutdown=1) as base_url:
        yield base_url


@contextmanager
def raw_server(reply: bytes) -> Iterator[str]:
    """A TCP server that answers every connection with `reply` (maybe not HTTP) and hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(reply)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def make_config(base_url: str, *, timeout: float = 5.0, rate_limit: float = 0.0) -> TargetConfig:
    return TargetConfig(
        base_url=base_url,
        timeout=timeout,
        rate_limit=rate_limit,
        keys={"full": FULL_KEY, "messages_read": READ_KEY},
        senders={"active": Sender(id=12, phone="+201001187188")},
        recipients={"reachable": "+201010000000"},
        source="<test>",
    )


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Seen]]:
    # One server for the module: starting and stopping uvicorn costs ~0.2 s.
    seen = Seen()
    with serve(build_app(seen)) as url:
        yield url, seen


@pytest.fixture
def seen(server: tuple[str, Seen]) -> Iterator[Seen]:
    server[1].requests.clear()
    server[1].finished.clear()
    server[1].release.clear()
    yield server[1]
    server[1].release.set()  # nothing left holding the module's server


@pytest.fixture
def target(server: tuple[str, Seen], seen: Seen) -> str:
    return server[0]


@pytest.fixture
def client(target: str) -> Iterator[TargetClient]:
    with TargetClient(make_config(target)) as c:
        yield c


def assert_no_key(*texts: str) -> None:
    assert_no_key_piece({f"text {i}": text for i, text in enumerate(texts)}, [FULL_KEY, READ_KEY])


def exchange_texts(ex: Exchange) -> list[str]:
    return [
        repr(ex),
        ex.url,
        json.dumps(ex.request_headers),
        ex.request_body,
        ex.text,
        json.dumps(ex.response_headers),
        ex.response_text,
        ex.curl(),
    ]


# --- requests and evidence -----------------------------------------------------


def test_key_is_sent_by_name_and_never_recorded(client: TargetClient, seen: Seen) -> None:
    ex = client.request("GET", "/echo", key="messages_read", params={"phone": "+201010000000"})
    received = seen.requests[-1]["headers"]
    assert isinstance(received, dict) and received["x-api-key"] == READ_KEY
    assert ex.status_code == 200 and ex.key_name == "messages_read"
    assert ex.request_headers["x-api-key"] == mask_key(READ_KEY)
    # The server echoed the key back: the recorded body shows only its mask.
    assert ex.json()["headers"]["x-api-key"] == mask_key(READ_KEY)
    assert ex.url.endswith("/echo?phone=%2B201010000000")
    assert_no_key(*exchange_texts(ex))
    assert list(client.exchanges) == [ex]


def test_no_key_and_raw_key(client: TargetClient, seen: Seen, tmp_path: Path) -> None:
    client.request("GET", "/echo", key=None)
    assert "x-api-key" not in seen.requests[-1]["headers"]  # type: ignore[operator]
    ex = client.request("GET", "/echo", raw_key=FULL_KEY + "x")
    assert seen.requests[-1]["headers"]["x-api-key"] == FULL_KEY + "x"  # type: ignore[index]
    assert ex.key_name == "full"
    assert '"X-Api-Key: ${TGO_API_KEY}x"' in ex.curl()
    assert_no_key(*exchange_texts(ex))
    run_curl(ex.curl(), tmp_path)
    assert seen.requests[-1]["headers"]["x-api-key"] == FULL_KEY + "x"  # type: ignore[index]
    client.request("GET", "/echo", raw_key="")
    assert seen.requests[-1]["headers"]["x-api-key"] == ""  # type: ignore[index]


def test_a_split_key_is_replayed_by_curl_and_never_recorded(
    client: TargetClient, seen: Seen, tmp_path: Path
) -> None:
    split = FULL_KEY[:18] + " " + FULL_KEY[18:]
    ex = client.request("GET", "/echo", raw_key=split)
    assert seen.requests[-1]["headers"]["x-api-key"] == split  # type: ignore[index]
    assert ex.key_name == "full"
    assert ex.request_headers["x-api-key"] == "… …"
    assert '"X-Api-Key: ${TGO_API_KEY:0:18} ${TGO_API_KEY:18:18}"' in ex.curl()
    assert_no_key(*exchange_texts(ex))
    run_curl(ex.curl(), tmp_path)
    assert seen.requests[-1]["headers"]["x-api-key"] == split  # type: ignore[index]


def test_key_in_authorization_header_is_redacted(client: TargetClient, seen: Seen) -> None:
    ex = client.request("GET", "/echo", key=None, headers={"Authorization": f"Bearer {FULL_KEY}"})
    assert seen.requests[-1]["headers"]["authorization"] == f"Bearer {FULL_KEY}"  # type: ignore[index]
    assert ex.request_headers["authorization"] == f"Bearer {mask_key(FULL_KEY)}"
    assert "$TGO_API_KEY" in ex.curl()
    assert_no_key(*exchange_texts(ex))


def test_missing_key_name_raises_with_the_reason(client: TargetClient) -> None:
    with pytest.raises(KeyNotConfigured, match=r"no \[keys\]\.usage_read .*TGO_KEY_USAGE_READ"):
        client.request("GET", "/echo", key="usage_read")
    with pytest.raises(ValueError, match="usage_reed"):
        client.request("GET", "/echo", key="usage_reed")
    with pytest.raises(ValueError, match="X-Api-Key given in headers"):
        client.request("GET", "/echo", headers={"x-api-key": "k"})


def test_json_body_including_null(client: TargetClient, seen: Seen) -> None:
    ex = client.request("POST", "/echo", json={"content": "مرحبا", "type": "text"})
    assert seen.requests[-1]["body"] == '{"content":"مرحبا","type":"text"}'
    assert seen.requests[-1]["headers"]["content-type"] == "application/json"  # type: ignore[index]
    assert ex.request_body == '{"content":"مرحبا","type":"text"}'
    client.request("POST", "/echo", json=None)
    null_body = seen.requests[-1]["body"]
    assert null_body == "null"


def test_request_preview_is_cut_at_4_kib(client: TargetClient) -> None:
    ex = client.request("POST", "/echo", json={"content": "a" * 10_000})
    assert ex.request_body.startswith('{"content":"aaa')
    assert len(ex.request_body) < 4096 + 60 and "more characters not shown" in ex.request_body
    assert "request-body.bin" not in ex.curl()  # 10 kB still fits in the curl command


def test_response_not_json(client: TargetClient) -> None:
    ex = client.request("GET", "/text")
    with pytest.raises(
        ResponseNotJSON, match=r"GET http://127\.0\.0\.1:\d+/text -> 200: .*not JSON"
    ):
        ex.json()


def test_history_is_bounded_and_thread_safe(target: str) -> None:
    with TargetClient(make_config(target), history=5) as client:
        threads = [
            threading.Thread(target=lambda: [client.request("GET", "/echo") for _ in range(5)])
            for _ in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(client.exchanges) == 5
        assert len(client.recent(3)) == 3 and client.recent(0) == []


def test_caller_supplied_transport_is_used() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"key_seen": request.headers["x-api-key"] == FULL_KEY})

    config = make_config("http://in-process")
    with TargetClient(config, transport=httpx.MockTransport(handler)) as client:
        ex = client.request("POST", "/api/v1/messages", json={})
    assert ex.status_code == 201 and ex.json() == {"key_seen": True}


# --- safety ---------------------------------------------------------------------


def test_redirect_is_not_followed_and_key_never_reaches_the_other_host() -> None:
    elsewhere = Seen()
    with serve(build_app(elsewhere)) as other, serve(build_app(Seen(), redirect_to=other)) as url:
        with TargetClient(make_config(url)) as client:
            for ex in (
                client.request("GET", "/redirect"),
                client.request("POST", "/redirect", json={"content": "hi"}),
            ):
                assert ex.status_code == 307
                assert ex.response_headers["location"] == f"{other}/capture"
        # The other server is up and reachable, and still heard nothing.
        assert httpx.get(f"{other}/capture").status_code == 200
    assert len(elsewhere.requests) == 1
    assert "x-api-key" not in elsewhere.requests[0]["headers"]  # type: ignore[operator]


def test_body_is_capped_on_a_huge_streamed_response(target: str) -> None:
    cap = 1024 * 1024
    with TargetClient(make_config(target), max_body_bytes=cap) as client:
        ex = client.request("GET", "/big")
    assert ex.truncated and ex.response_bytes == cap and len(ex.text) == cap
    assert len(ex.response_text) < 16 * 1024 + 60
    with pytest.raises(ResponseNotJSON, match="cut at 1048576 bytes"):
        ex.json()


def test_body_cap_stops_reading_from_the_socket() -> None:
    # A server that counts what the client accepted before hanging up: the client
    # must close the connection, not drain 256 MiB it will not keep.
    total = 256 * 1024 * 1024
    accepted: list[int] = []
    listener = socket.create_server(("127.0.0.1", 0))

    def run() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            head = f"HTTP/1.1 200 OK\r\nContent-Length: {total}\r\n\r\n".encode()
            conn.sendall(head)
            sent = 0
            try:
                while sent < total:
                    conn.sendall(b"x" * CHUNK)
                    sent += CHUNK
            except OSError:
                pass
            accepted.append(sent)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    with TargetClient(make_config(url), max_body_bytes=1024 * 1024) as client:
        ex = client.request("GET", "/big")
    thread.join(10)
    listener.close()
    assert ex.truncated and ex.response_bytes == 1024 * 1024
    # What the kernel buffers on loopback comes on top of the 1 MiB read.
    assert accepted and accepted[0] < 64 * 1024 * 1024, accepted


def test_timeout_raises_target_timeout(target: str, seen: Seen) -> None:
    with TargetClient(make_config(target, timeout=0.3)) as client:
        with pytest.raises(TargetTimeout) as info:
            client.request("GET", "/slow")
        # The client gave up on its own: the server was still holding its answer.
        assert seen.finished == []
    message = str(info.value)
    assert message.startswith(f"GET {target}/slow: timed out (ReadTimeout")
    assert "\n" not in message and "timeout is 0.3s" in message
    assert_no_key(message)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_dripping_body_is_bounded_by_the_timeout(target: str, seen: Seen) -> None:
    # Each byte arrives within httpx's per-read timeout; the request as a whole must not.
    with TargetClient(make_config(target, timeout=0.5)) as client:
        with pytest.raises(TargetTimeout, match=r"body not complete after 0\.5s"):
            client.request("GET", "/drip")
        # It stopped reading while the body was still dripping, not when the body ended.
        assert "/drip" not in seen.finished


def test_connection_refused_raises_target_unreachable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed at once: nothing listens there
    with (
        TargetClient(make_config(f"http://127.0.0.1:{port}")) as client,
        pytest.raises(TargetUnreachable) as info,
    ):
        client.request("GET", "/api/v1/usage", params={"k": FULL_KEY})
    message = str(info.value)
    assert not isinstance(info.value, TargetTimeout)
    assert (
        f"GET http://127.0.0.1:{port}/api/v1/usage?k={mask_key(FULL_KEY)}: no response" in message
    )
    assert "ConnectError" in message
    assert_no_key(message)
    assert len(client.exchanges) == 0


@pytest.mark.parametrize(
    "reply", [b"", b"garbage that is not HTTP\r\n\r\n"], ids=["hang-up", "garbage"]
)
def test_protocol_errors_raise_target_unreachable(reply: bytes) -> None:
    with (
        raw_server(reply) as url,
        TargetClient(make_config(url)) as client,
        pytest.raises(TargetUnreachable, match=r"^GET http://127\.0\.0\.1:\d+/x: no response"),
    ):
        client.request("GET", "/x")


# --- curl -------------------------------------------------------------------------

CURL = shutil.which("curl")


def run_curl(command: str, cwd: Path) -> str:
    """Run a recorded curl command in bash, as a person pasting it would; return its output."""
    assert CURL, "curl is needed to prove the commands can be pasted"
    done = subprocess.run(
        ["bash", "-c", command + " -sS"],
        cwd=cwd,
        env={**os.environ, "TGO_API_KEY": FULL_KEY},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_curl_replays_a_json_request(client: TargetClient, seen: Seen, tmp_path: Path) -> None:
    body = {"content": 'it\'s $HOME `x` "q"', "sender_phone": "+201001187188"}
    ex = client.request("POST", "/echo", json=body, params={"a": "b c"})
    command = ex.curl()
    assert '"X-Api-Key: $TGO_API_KEY"' in command and " -d " in command
    assert_no_key(command)
    first = seen.requests[-1]
    run_curl(command, tmp_path)
    again = seen.requests[-1]
    assert again is not first
    for part in ("method", "path", "query", "body"):
        assert again[part] == first[part], part
    assert again["headers"]["x-api-key"] == FULL_KEY  # type: ignore[index]
    assert again["headers"]["content-type"] == "application/json"  # type: ignore[index]


def test_curl_replays_a_multipart_request(client: TargetClient, tmp_path: Path) -> None:
    audio = b"OggS" + bytes(range(256)) * 8
    ex = client.request(
        "POST",
        "/upload",
        data={"type": "voice", "duration": "30", "sender_phone": "+201001187188"},
        files={"media": ("voice.ogg", audio, "audio/ogg")},
    )
    assert ex.status_code == 200, ex.response_text
    assert ex.request_body == (
        'multipart/form-data: type="voice"; duration="30"; sender_phone="+201001187188"; '
        f'media=<file "voice.ogg", audio/ogg, {len(audio)} bytes>'
    )
    command = ex.curl()
    assert "-F 'media=@voice.ogg;type=audio/ogg'" in command
    (tmp_path / "voice.ogg").write_bytes(audio)
    output = run_curl(command, tmp_path)
    assert output.startswith("HTTP/1.1 200"), (command, output)
    # text=True turned the CRLFs into newlines.
    assert json.loads(output.split("\n\n", 1)[1]) == ex.json()


def test_uploads_and_binary_bodies_are_saved_beside_the_report_and_curl_sends_them(
    target: str, seen: Seen, tmp_path: Path
) -> None:
    config = make_config(target)
    bodies = BodyStore(tmp_path, config.redactor())
    # Not bytes(range(256)): it holds "0123456789", a piece of FULL_KEY, and would not be saved.
    audio = b"OggS" + bytes(range(128, 256)) * 8
    with TargetClient(config, bodies=bodies) as client:
        upload = client.request(
            "POST",
            "/upload",
            data={"type": "voice", "duration": "30"},
            files={"media": ("voice note.ogg", audio, "audio/ogg")},
        )
        binary = client.request("PUT", "/echo", content=b"\xff\x00binary")
    saved = re.search(r"media=@(bodies/[0-9a-f]{20}\.\w+);filename=", upload.curl())
    assert saved is not None, upload.curl()
    assert (tmp_path / saved.group(1)).read_bytes() == audio
    assert 'filename="voice note.ogg"' in upload.curl()
    output = run_curl(upload.curl(), tmp_path)  # from the report directory, as the report says
    assert json.loads(output.split("\n\n", 1)[1]) == upload.json()
    raw = re.search(r"--data-binary @(bodies/[0-9a-f]{20}\.bin)", binary.curl())
    assert raw is not None and (tmp_path / raw.group(1)).read_bytes() == b"\xff\x00binary"
    first = seen.requests[-1]
    run_curl(binary.curl(), tmp_path)
    assert seen.requests[-1]["body"] == first["body"]


def test_a_body_holding_a_key_is_never_saved(target: str, tmp_path: Path) -> None:
    config = make_config(target)
    with TargetClient(config, bodies=BodyStore(tmp_path, config.redactor())) as client:
        ex = client.request("PUT", "/echo", content=b"\x00" + FULL_KEY.encode())
    assert "@request-body.bin" in ex.curl()
    assert not (tmp_path / "bodies").exists()


def test_curl_for_a_get_without_key_and_odd_methods(client: TargetClient) -> None:
    assert client.request("GET", "/echo", key=None).curl().startswith("curl -i http://")
    assert "TGO_API_KEY" not in client.request("GET", "/echo", key=None).curl()
    assert " -X DELETE " in client.request("DELETE", "/echo").curl()
    raw = client.request("PUT", "/echo", content=b"\xff\x00binary")
    assert raw.request_body == "<8 bytes, not UTF-8 text>"
    assert "--data-binary @request-body.bin" in raw.curl() and "8 bytes" in raw.curl()


# --- rate limiter -----------------------------------------------------------------

RATE = 20.0
EPSILON = (
    1e-4  # slots are last + 1/rate; at time.time() magnitudes float rounding adds ~1e-6 per slot
)

CHILD = """
import json, sys, time
from pathlib import Path
from conformance.http.ratelimit import RateLimiter
state, start, n = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
limiter = RateLimiter(float(sys.argv[4]), None if state == "-" else Path(state))
time.sleep(max(0.0, start - time.time()))
out = []
for _ in range(n):
    slot = limiter.acquire()
    out.append([slot, time.time()])
print(json.dumps(out))
"""


def run_processes(state_files: list[str], n: int) -> list[list[list[float]]]:
    start = time.time() + 0.6  # all children contend from the same instant
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, state, str(start), str(n), str(RATE)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        for state in state_files
    ]
    results = []
    for child in children:
        out, _ = child.communicate(timeout=60)
        assert child.returncode == 0
        results.append(json.loads(out))
    return results


def test_rate_limit_holds_across_processes(tmp_path: Path) -> None:
    shared = tmp_path / "rate.state"
    results = run_processes([str(shared)] * 3, 10)
    slots = sorted((slot, owner) for owner, rows in enumerate(results) for slot, _ in rows)
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(slots)]
    assert len(slots) == 30
    assert min(gaps) >= 1 / RATE - EPSILON
    assert slots[-1][0] - slots[0][0] >= (30 - 1) / RATE - EPSILON
    # Each caller slept until its slot, and the processes really took turns.
    assert all(woke >= slot for rows in results for slot, woke in rows)
    owner_changes = sum(a[1] != b[1] for a, b in itertools.pairwise(slots))
    assert owner_changes >= 3


def test_separate_state_files_do_not_limit_each_other(tmp_path: Path) -> None:
    # The control for the test above: without a shared file the gaps break the limit.
    files = [str(tmp_path / f"own-{i}.state") for i in range(3)]
    results = run_processes(files, 10)
    slots = sorted(slot for rows in results for slot, _ in rows)
    assert min(b - a for a, b in itertools.pairwise(slots)) < 1 / RATE - EPSILON


@pytest.mark.parametrize("shared", [True, False], ids=["state-file", "in-process"])
def test_rate_limit_holds_across_threads(tmp_path: Path, shared: bool) -> None:
    limiter = RateLimiter(50.0, tmp_path / "rate.state" if shared else None)
    slots: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(5):
            slot = limiter.acquire()
            with lock:
                slots.append(slot)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    slots.sort()
    assert min(b - a for a, b in itertools.pairwise(slots)) >= 1 / 50 - EPSILON


def test_rate_zero_is_unlimited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    limiter = RateLimiter(0, tmp_path / "unused.state")
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    for _ in range(1000):
        limiter.acquire()
    monkeypatch.undo()
    assert slept == []  # no caller ever waited for a slot
    assert not (tmp_path / "unused.state").exists()
    with pytest.raises(ValueError):
        RateLimiter(-1)


def test_client_applies_the_rate_limit_per_request(target: str, seen: Seen) -> None:
    config = make_config(target, rate_limit=RATE)
    with TargetClient(config, rate_limiter=RateLimiter(RATE)) as client:
        for _ in range(6):
            client.request("GET", "/echo")
    arrivals = [float(r["at"]) for r in seen.requests]  # type: ignore[arg-type]
    # Six slots span 5/20 s; the first arrival may lag its slot by connection setup.
    assert arrivals[-1] - arrivals[0] >= 5 / RATE - 0.05


def test_a_file_name_in_a_curl_comment_stays_in_the_comment() -> None:
    writer = CurlWriter(Redactor([FULL_KEY]), {"full": FULL_KEY})  # no body store: not saved
    hostile = "a\nrm -rf ~ #.png"
    command = writer.command(
        "POST",
        "http://127.0.0.1:1/v1/messages",
        {},
        is_json=False,
        body=None,
        data={"message_type": "voice"},
        parts=[FilePart("media", hostile, "audio/ogg", 3)],
    )
    comment = command.split("  # not saved with the report: ", 1)[1]
    assert "\n" not in comment  # the whole name stays in the comment, as a JSON string
    assert '"a\\nrm -rf ~ #.png"' in comment
