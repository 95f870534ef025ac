"""Start the TGO Business API server (Django REST Framework, in-memory state).

python serve.py --world WORLD.json --host 127.0.0.1 --port 0 --ready-file READY.json
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from http import HTTPStatus
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--world", required=True, help="initial data (JSON)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: pick a free port")
    parser.add_argument("--ready-file", required=True, help="written once accepting connections")
    return parser.parse_args(argv)


def write_ready_file(path: str, payload: dict) -> None:
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(payload), encoding="utf-8")
    os.replace(tmp, target)


def main(argv=None) -> int:
    args = parse_args(argv)
    world = json.loads(Path(args.world).read_text(encoding="utf-8"))

    stop = threading.Event()

    def request_stop(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    from tgo.settings import configure

    configure()

    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application
    from tgo.state import init_store

    store = init_store(world)
    app = get_wsgi_application()

    class Handler(WSGIRequestHandler):
        timeout = 30  # seconds of client silence before the connection is dropped

        def send_error(self, code, message=None, explain=None):
            """Protocol-level errors (unparsable request line/headers) in the JSON envelope."""
            try:
                phrase = HTTPStatus(code).phrase
            except ValueError:
                phrase = "Error"
            body = json.dumps({"error": phrase, "code": phrase.lower().replace(" ", "_")})
            payload = body.encode()
            self.close_connection = True
            self.send_response(code, phrase)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            if getattr(self, "command", None) != "HEAD" and code >= 200 and code not in (204, 304):
                self.wfile.write(payload)

    server = ThreadedWSGIServer((args.host, args.port), Handler, ipv6=":" in args.host)
    server.set_app(app)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2})
    thread.daemon = True
    thread.start()

    host, port = server.server_address[:2]
    url_host = f"[{host}]" if ":" in host else host
    sender_ids = {sn.phone: sn.id for sn in store.sender_numbers.values()}
    write_ready_file(
        args.ready_file, {"base_url": f"http://{url_host}:{port}", "sender_ids": sender_ids}
    )

    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
