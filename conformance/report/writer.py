"""Writes a run's files: each atomically, so an interrupted run never leaves half a file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from conformance.redact import Redactor
from conformance.report.model import RunReport
from conformance.report.render import render_compliance_html
from conformance.report.replay import replay_files


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path`` and rename it over ``path``.

    Readers see the old file or the new one, never a part. Text the target sent may hold code
    points UTF-8 cannot encode (lone surrogates): they are written as backslash escapes rather
    than lose the whole file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file 0600; a report is as readable as any file the user writes.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render_reports(report: RunReport, redactor: Redactor) -> dict[str, str]:
    """Every file's text, redacted last: nothing is written until all of them are rendered."""
    summary = json.dumps(report.to_summary(), indent=2, ensure_ascii=False)
    replays = replay_files(report)
    files = {
        "summary.json": redactor.text(summary) + "\n",
        "compliance.html": redactor.text(render_compliance_html(report, replays)),
    }
    for replay in replays.values():
        files[replay.path] = redactor.text(replay.text)
    return files


def write_reports(report: RunReport, report_dir: Path, redactor: Redactor) -> None:
    """summary.json, compliance.html and the replay scripts. A failure while rendering writes
    none, so the directory keeps the files of the last complete write."""
    for name, text in render_reports(report, redactor).items():
        write_atomic(report_dir / name, text)


def redact_file(path: Path, redactor: Redactor) -> bool:
    """Mask every key in a file another tool wrote (pytest's junit.xml, pytest-html's report);
    True when the file held one. The file is replaced atomically, like the kit's own."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    if not redactor.contains_secret(text):
        return False
    write_atomic(path, redactor.text(text))
    return True
