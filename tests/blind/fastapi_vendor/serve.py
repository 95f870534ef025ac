"""Start the TGO Business API server.

    python serve.py --world WORLD.json --host 127.0.0.1 --port 0 --ready-file READY.json

``--port 0`` picks a free port. Once connections are accepted, READY.json is written
atomically with the base URL and the id of every sender number. SIGTERM / SIGINT stop the
server gracefully.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import socket
import sys
import tempfile
from pathlib import Path

import uvicorn
from app import create_app
from store import Store, WorldError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="TGO Business API server (in-memory)")
    parser.add_argument("--world", required=True, type=Path, help="initial data (JSON)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--ready-file", required=True, type=Path)
    return parser.parse_args(argv)


def bind_socket(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(128)
    sock.setblocking(False)
    return sock


def write_ready_file(path: Path, payload: dict[str, object]) -> None:
    path = path.resolve()
    fd, tmp = tempfile.mkstemp(prefix=".ready-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


async def run(server: uvicorn.Server, sock: socket.socket, ready: Path, store: Store) -> None:
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not serving.done():
        await asyncio.sleep(0.01)
    if server.started and not server.should_exit:
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        write_ready_file(
            ready, {"base_url": f"http://{shown}:{port}", "sender_ids": store.sender_ids()}
        )
    await serving


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The multipart parser warns about every malformed client body: that is the client's
    # problem (answered with a 422), not an operational warning.
    logging.getLogger("python_multipart").setLevel(logging.ERROR)
    try:
        world = json.loads(args.world.read_text(encoding="utf-8"))
        store = Store.from_world(world)
    except (OSError, ValueError) as exc:
        print(f"cannot load world {args.world}: {exc}", file=sys.stderr)
        return 2
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2

    config = uvicorn.Config(
        create_app(store),
        host=args.host,
        port=sock.getsockname()[1],
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=3,
    )
    server = uvicorn.Server(config)

    # Our handlers stay installed outside uvicorn's own signal capture: a signal arriving
    # before or after serving only asks the server to stop, and uvicorn re-raising the
    # captured signal on exit lands here instead of killing the process mid-cleanup.
    def request_stop(_signum: int, _frame: object) -> None:
        server.should_exit = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    asyncio.run(run(server, sock, args.ready_file, store))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except WorldError as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)
