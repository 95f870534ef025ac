"""exchanges.har: every exchange of a run, redacted like the reports, in HAR 1.2.

Each process of a run (the controller and every xdist worker) appends its entries to a part
file of its own as it goes, one JSON line each, flushed at once; the controller merges the
parts into `exchanges.har` when the run ends. Nothing is held in memory but the line being
written, so a long run costs disk, not memory. Lines begin with their startedDateTime in one
fixed format, so merging the time-ordered parts line by line keeps the whole file in order.
"""

from __future__ import annotations

import heapq
import json
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any, Final
from urllib.parse import parse_qsl, urlsplit

from conformance.http.evidence import Exchange, Unanswered, key_entry
from conformance.redact import Redactor

HAR_FILE: Final = "exchanges.har"
# A response body is kept in the HAR up to this many characters (the reports keep 16 KiB).
CONTENT_MAX_CHARS: Final = 256 * 1024


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _pairs(items: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in items]


def _request(method: str, url: str, headers: Sequence[tuple[str, str]], body: str) -> Any:
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    request: dict[str, Any] = {
        "method": method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _pairs(headers),
        "queryString": _pairs(parse_qsl(urlsplit(url).query, keep_blank_values=True)),
        "headersSize": -1,
        "bodySize": len(body.encode()) if body else 0,
    }
    if body:
        request["postData"] = {"mimeType": content_type or "application/octet-stream", "text": body}
    return request


def _status_text(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def exchange_entry(
    exchange: Exchange, entry_id: str, test: str, requirements: Sequence[str]
) -> dict[str, Any]:
    """One answered exchange as a HAR entry (its texts are already redacted)."""
    text = exchange.text
    content: dict[str, Any] = {
        "size": exchange.response_bytes,
        "mimeType": exchange.content_type or "x-unknown",
        "text": text[:CONTENT_MAX_CHARS],
    }
    if len(text) > CONTENT_MAX_CHARS or exchange.truncated:
        content["comment"] = "cut: the body is longer than the HAR keeps"
    elapsed_ms = round(exchange.elapsed_s * 1000, 3)
    return {
        "startedDateTime": _when(exchange.sent_at),
        "time": elapsed_ms,
        "request": _request(
            exchange.method,
            exchange.url,
            list(exchange.request_headers.items()),
            exchange.request_body,
        ),
        "response": {
            "status": exchange.status_code,
            "statusText": _status_text(exchange.status_code),
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _pairs(list(exchange.response_headers.items())),
            "content": content,
            "redirectURL": exchange.response_headers.get("location", ""),
            "headersSize": -1,
            "bodySize": exchange.response_bytes,
        },
        "cache": {},
        "timings": {"send": 0, "wait": elapsed_ms, "receive": 0},
        "_id": entry_id,
        "_test": test,
        "_requirements": list(requirements),
        "_key": key_entry(exchange.key_name) if exchange.key_name else None,
    }


def unanswered_entry(attempt: Unanswered, test: str, requirements: Sequence[str]) -> dict[str, Any]:
    """A request that got no answer: status 0 and the error, as browsers record one."""
    headers = list(attempt.headers.items())
    return {
        "startedDateTime": _when(attempt.sent_at),
        "time": 0,
        "request": _request(attempt.method, attempt.url, headers, attempt.body),
        "response": {
            "status": 0,
            "statusText": "",
            "httpVersion": "",
            "cookies": [],
            "headers": [],
            "content": {"size": 0, "mimeType": "x-unknown"},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
            "_error": attempt.error,
        },
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0},
        "_id": attempt.har_id,
        "_test": test,
        "_requirements": list(requirements),
        "_sent": attempt.sent,
    }


class HarRecorder:
    """Appends this process's entries to its part file; `context` says which test sends."""

    def __init__(self, part: Path, redactor: Redactor, prefix: str) -> None:
        self.part = part
        self.redactor = redactor
        self.prefix = prefix  # makes entry ids unique across the processes of a run
        self.context: tuple[str, tuple[str, ...]] = ("", ())
        self._lock = threading.Lock()
        self._count = 0
        self._file: IO[str] | None = None

    def next_id(self) -> str:
        with self._lock:
            self._count += 1
            return f"{self.prefix}-{self._count}"

    def write(self, entry: dict[str, Any]) -> None:
        line = self.redactor.text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
        with self._lock:
            if self._file is None:
                self.part.parent.mkdir(parents=True, exist_ok=True)
                self._file = self.part.open("a", encoding="utf-8", errors="backslashreplace")
            self._file.write(line + "\n")
            self._file.flush()  # the controller may merge before this process closes it

    def record(self, exchange: Exchange) -> None:
        test, requirements = self.context
        self.write(exchange_entry(exchange, exchange.har_id, test, requirements))

    def record_unanswered(self, attempt: Unanswered) -> None:
        test, requirements = self.context
        self.write(unanswered_entry(attempt, test, requirements))

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def part_name() -> str:
    """This process's part and id prefix: the xdist worker's name, or the controller's."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _lines(handle: IO[str]) -> Iterator[str]:
    for line in handle:
        if line.strip():
            yield line.rstrip("\n")


def assemble(parts_dir: Path, out: Path, version: str) -> int:
    """Merge every part file into `out` (HAR 1.2), oldest entry first; the entry count."""
    creator = json.dumps({"name": "tgo-conformance", "version": version})
    count = 0
    tmp = out.with_name(f".{out.name}.tmp")
    with ExitStack() as stack:
        parts = sorted(parts_dir.glob("*.jsonl")) if parts_dir.is_dir() else []
        handles = [stack.enter_context(p.open(encoding="utf-8")) for p in parts]
        with tmp.open("w", encoding="utf-8") as target:
            target.write(f'{{"log":{{"version":"1.2","creator":{creator},"pages":[],"entries":[')
            for line in heapq.merge(*(_lines(h) for h in handles)):
                target.write(("," if count else "") + "\n" + line)
                count += 1
            target.write("\n]}}\n")
    os.replace(tmp, out)
    return count
