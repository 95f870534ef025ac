"""Start the TGO Business API server.

python serve.py --world WORLD.json --host 127.0.0.1 --port 0 --ready-file READY.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import tempfile
from pathlib import Path

from aiohttp import web
from tgo_app import create_app
from tgo_store import Store, WorldError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="TGO Business API server (in-memory)")
    parser.add_argument("--world", required=True, type=Path, help="initial data (JSON)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default=0, type=int, help="0 picks a free port")
    parser.add_argument("--ready-file", type=Path, help="written once connections are accepted")
    return parser.parse_args(argv)


def write_ready_file(path: Path, base_url: str, sender_ids: dict[str, int]) -> None:
    """Write atomically: a temporary file in the same directory, renamed over the target."""
    path = path.resolve()
    payload = json.dumps({"base_url": base_url, "sender_ids": sender_ids}, indent=2)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


async def serve(args: argparse.Namespace, store: Store) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    runner = web.AppRunner(create_app(store), access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, args.host, args.port)
        await site.start()
        port = runner.addresses[0][1]
        host = f"[{args.host}]" if ":" in args.host else args.host
        if args.ready_file is not None:
            write_ready_file(args.ready_file, f"http://{host}:{port}", store.all_sender_ids())
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
    )
    try:
        store = Store.from_world_file(args.world)
    except WorldError as exc:
        print(f"serve.py: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(serve(args, store))
    except OSError as exc:  # e.g. the port is taken
        print(f"serve.py: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
