"""Start the TGO Business API server (Flask on werkzeug's threaded server).

python serve.py --world WORLD.json --host 127.0.0.1 --port 0 --ready-file READY.json
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path
from types import FrameType

from tgo_vendor import WorldError, create_app
from werkzeug.serving import make_server


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", required=True, type=Path, help="initial data (JSON)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--ready-file", required=True, type=Path)
    return parser.parse_args(argv)


def write_ready_file(target: Path, payload: dict) -> None:
    """Write atomically: a temporary file in the same folder, renamed over the target."""
    target = target.resolve()
    fd, tmp = tempfile.mkstemp(prefix=".ready-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    try:
        world = json.loads(args.world.read_text(encoding="utf-8"))
        app = create_app(world)
    except (OSError, ValueError, WorldError) as exc:
        print(f"serve.py: cannot load world {args.world}: {exc}", file=sys.stderr)
        return 2

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    try:
        server = make_server(args.host, args.port, app, threaded=True)
    except OSError as exc:
        print(f"serve.py: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2

    thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    thread.start()
    host = f"[{args.host}]" if ":" in args.host else args.host
    write_ready_file(
        args.ready_file,
        {
            "base_url": f"http://{host}:{server.server_port}",
            "sender_ids": app.extensions["tgo_store"].sender_ids(),
        },
    )

    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
