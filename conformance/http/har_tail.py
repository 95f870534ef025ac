"""Reading the run's HAR parts while they grow: which test sent each request so far.

Every process appends one JSON line per exchange to its part (har.py), so the controller can
follow the whole run's traffic, workers included, without any message between processes. Only
whole lines are read; a line being written is read on the next call.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path


class HarTail:
    """(`_test`, time sent) of each entry appended to the parts under `parts_dir` since the
    last call; the time as time.time() seconds."""

    def __init__(self, parts_dir: Path) -> None:
        self.parts_dir = parts_dir
        self._offsets: dict[Path, int] = {}

    def new_entries(self) -> list[tuple[str, float]]:
        tests: list[tuple[str, float]] = []
        try:
            parts = sorted(self.parts_dir.glob("*.jsonl"))
        except OSError:
            return tests
        for part in parts:
            offset = self._offsets.get(part, 0)
            try:
                with part.open("rb") as handle:
                    handle.seek(offset)
                    chunk = handle.read()
            except OSError:
                continue
            end = chunk.rfind(b"\n")
            if end < 0:
                continue
            self._offsets[part] = offset + end + 1
            for line in chunk[:end].splitlines():
                try:
                    entry = json.loads(line)
                    sent = datetime.strptime(entry["startedDateTime"], "%Y-%m-%dT%H:%M:%S.%fZ")
                except (ValueError, KeyError, TypeError):
                    continue
                tests.append((str(entry.get("_test", "")), sent.replace(tzinfo=UTC).timestamp()))
        return tests
