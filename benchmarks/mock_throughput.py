"""Throughput of the mock under a send + lookup mix, beside Prism's mock of the same contract.

    python benchmarks/mock_throughput.py [--requests 4000] [--concurrency 16] [--no-prism]

Starts `tgo-conformance mock` (as `python -m conformance.mock.command`) on a free loopback port in
a subprocess, drives a 50/50 mix of valid text sends and contact lookups with httpx.AsyncClient,
and prints requests per second (with, for scale, the same mix sent straight into the ASGI app
without HTTP). Then, if `npx` works, does the same against Prism
(`npx --yes @stoplight/prism-cli@5 mock`), which checks request shapes but no keys and keeps no
state. Every loop is bounded and every server is stopped, whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "openapi" / "tgo-business.yaml"
MOCK_START_TIMEOUT = 30.0
PRISM_START_TIMEOUT = 240.0  # the first run downloads Prism
RUN_TIMEOUT = 300.0


@dataclass(frozen=True)
class Target:
    name: str
    base_url: str
    key: str
    sender_id: int
    recipient: str


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    statuses: Counter[int]
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def line(self, name: str) -> str:
        cuts = statistics.quantiles(self.latencies_ms, n=100)
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        return (
            f"{name:<10} {self.per_second:8.0f} req/s   p50 {cuts[49]:6.1f} ms   "
            f"p95 {cuts[94]:6.1f} ms   statuses {{{statuses}}}"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT then SIGKILL to the process group this script started (npx forks node)."""
    if process.poll() is not None:
        return
    group = os.getpgid(process.pid)
    for sig, wait in ((signal.SIGINT, 10), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        os.killpg(group, sig)
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def mock_server() -> Iterator[Target]:
    with tempfile.TemporaryDirectory() as tmp:
        config_file = Path(tmp) / "mock.toml"
        command = [sys.executable, "-m", "conformance.mock.command", "--port", "0"]
        process = subprocess.Popen(
            [*command, "--write-config", str(config_file)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + MOCK_START_TIMEOUT
            while not config_file.exists() or not config_file.read_text():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the mock did not start")
                time.sleep(0.05)
            config = tomllib.loads(config_file.read_text())
            yield Target(
                "tgo mock",
                config["base_url"],
                config["keys"]["full"],
                config["senders"]["active"]["id"],
                config["recipients"]["reachable"],
            )
        finally:
            stop(process)


@contextmanager
def prism_server() -> Iterator[Target]:
    npx = shutil.which("npx")
    if npx is None:
        raise RuntimeError("npx is not on PATH")
    port = free_port()
    command = [npx, "--yes", "@stoplight/prism-cli@5", "mock", "-p", str(port)]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [*command, "-h", "127.0.0.1", str(SPEC)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + PRISM_START_TIMEOUT
            while not _accepts(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    tail = log.read().decode(errors="replace").strip().splitlines()[-5:]
                    raise RuntimeError("Prism did not start: " + " | ".join(tail))
                time.sleep(0.5)
            # Prism checks that a key is present, not which one.
            yield Target("prism", base_url, "trk_" + "0" * 32, 12, "+201010000000")
        finally:
            stop(process)


def _accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


async def drive(target: Target, total: int, concurrency: int) -> Result:
    headers = {"X-Api-Key": target.key, "Accept": "application/json"}
    body = {
        "sender_number_id": target.sender_id,
        "to_phone": target.recipient,
        "type": "text",
        "content": "benchmark",
    }
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    next_index = iter(range(total))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        for index in next_index:  # shared iterator: `total` requests across all workers
            started = time.perf_counter()
            if index % 2 == 0:
                response = await client.post("/api/v1/messages", json=body)
            else:
                params = {"phone": target.recipient}
                response = await client.get("/api/v1/contacts/lookup", params=params)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[response.status_code] += 1

    async with httpx.AsyncClient(
        base_url=target.base_url, headers=headers, limits=limits, timeout=10
    ) as client:
        await client.get("/api/v1/usage")  # warm the connection path
        started = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(*(worker(client) for _ in range(concurrency))), RUN_TIMEOUT
        )
        elapsed = time.perf_counter() - started
    return Result(total, elapsed, statuses, latencies)


async def drive_asgi(total: int) -> Result:
    """The same mix straight into the ASGI app: what the mock costs without HTTP and a client."""
    sys.path.insert(0, str(ROOT))
    from conformance.mock import create_app

    app = create_app()
    seeded = app.state.seeded
    key = seeded.keys.full.encode()
    body = json.dumps(
        {
            "sender_number_id": seeded.senders.active.id,
            "to_phone": seeded.recipients.reachable,
            "type": "text",
            "content": "benchmark",
        }
    ).encode()
    statuses: Counter[int] = Counter()
    latencies: list[float] = []

    async def call(method: str, path: str, query: bytes, content: bytes) -> int:
        scope = {
            "type": "http",
            "method": method,
            "path": path,
            "raw_path": path.encode(),
            "query_string": query,
            "headers": [(b"x-api-key", key), (b"content-type", b"application/json")],
            "http_version": "1.1",
            "scheme": "http",
            "server": ("127.0.0.1", 80),
            "client": ("127.0.0.1", 1),
            "root_path": "",
        }
        messages = [{"type": "http.request", "body": content, "more_body": False}]
        status = 0

        async def receive() -> dict[str, object]:
            return messages.pop() if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, object]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])  # type: ignore[call-overload]

        await app(scope, receive, send)  # type: ignore[arg-type]
        return status

    started_all = time.perf_counter()
    for index in range(total):
        started = time.perf_counter()
        if index % 2 == 0:
            status = await call("POST", "/api/v1/messages", b"", body)
        else:
            status = await call("GET", "/api/v1/contacts/lookup", b"phone=%2B201010000000", b"")
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[status] += 1
    return Result(total, time.perf_counter() - started_all, statuses, latencies)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--no-prism", action="store_true", help="measure the mock only")
    args = parser.parse_args()
    print(
        f"mix: {args.requests} requests, 50% POST /api/v1/messages (text) + "
        f"50% GET /api/v1/contacts/lookup, concurrency {args.concurrency}, loopback"
    )
    asgi_result = asyncio.run(drive_asgi(args.requests))
    print(asgi_result.line("tgo app") + "   (in-process ASGI, no HTTP, sequential)")
    with mock_server() as target:
        mock_result = asyncio.run(drive(target, args.requests, args.concurrency))
    print(mock_result.line(target.name))
    if args.no_prism:
        return 0
    try:
        with prism_server() as prism:
            prism_result = asyncio.run(drive(prism, args.requests, args.concurrency))
    except (RuntimeError, OSError, httpx.HTTPError, TimeoutError) as exc:
        reason = " ".join(str(exc).split())[:300]
        print(f"{'prism':<10} not measured: {reason}")
        return 0
    print(prism_result.line(prism.name))
    print(f"ratio      tgo mock / prism = {mock_result.per_second / prism_result.per_second:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
