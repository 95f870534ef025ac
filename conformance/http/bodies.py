"""Request bodies a curl command cannot hold inline, saved beside the report.

A binary body or an uploaded file is written once, under a name taken from its content
(`bodies/<sha256 prefix>.<ext>`), so the curl commands of a report work from the report
directory alone. Xdist workers share the directory: the same content gets the same name, and
each file is written to a temporary name and renamed, so concurrent writes cannot tear one.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
import threading
from pathlib import Path
from typing import Final

from conformance.redact import Redactor

BODIES_DIR: Final = "bodies"
# A process of the run (the controller, each xdist worker) never writes more than this many
# bytes of bodies: generated uploads are small, and a report directory must not grow with the
# length of a run.
MAX_TOTAL_BYTES: Final = 64 * 1024 * 1024
MAX_BODY_BYTES: Final = 8 * 1024 * 1024


class BodyStore:
    """Saves bodies under `report_dir/bodies/`; `save` returns the path relative to
    `report_dir` (what a curl command run from there names), or None when it was not saved."""

    def __init__(self, report_dir: Path, redactor: Redactor) -> None:
        self.report_dir = report_dir
        self.redactor = redactor
        self._lock = threading.Lock()
        self._written = 0
        self._known: set[str] = set()

    def save(self, content: bytes, content_type: str | None = None) -> str | None:
        if len(content) > MAX_BODY_BYTES:
            return None
        digest = hashlib.sha256(content).hexdigest()[:20]
        relative = f"{BODIES_DIR}/{digest}{_extension(content_type)}"
        with self._lock:
            if relative in self._known:
                return relative  # saved already, so scanned already
        # A key the body holds would be written unmasked: such a body is not saved.
        if self.redactor.contains_secret(content.decode("latin-1")):
            return None
        with self._lock:
            if relative in self._known:
                return relative
            if self._written + len(content) > MAX_TOTAL_BYTES:
                return None
            self._written += len(content)
            self._known.add(relative)
        path = self.report_dir / relative
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".body.", dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.replace(tmp, path)
        return relative


def _extension(content_type: str | None) -> str:
    if not content_type:
        return ".bin"
    guessed = mimetypes.guess_extension(content_type.split(";", 1)[0].strip())
    return guessed or ".bin"
