"""Writes a run's files: each atomically, so an interrupted run never leaves half a file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from conformance.redact import Redactor
from conformance.report.model import RunReport
from conformance.report.render import render_compliance_html


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path`` and rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_reports(report: RunReport, report_dir: Path, redactor: Redactor) -> None:
    """summary.json and compliance.html; every text passes through the redactor last."""
    summary = json.dumps(report.to_summary(), indent=2, ensure_ascii=False)
    write_atomic(report_dir / "summary.json", redactor.text(summary) + "\n")
    html = render_compliance_html(report)
    write_atomic(report_dir / "compliance.html", redactor.text(html))
