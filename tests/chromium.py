"""Headless Chromium for the report tests: what a person sees once the page's script ran, and
how many pages it prints to."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)

requires_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium is not installed (Debian package chromium: /usr/bin/chromium)",
)


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"chromium-profile-{len(list(tmp_path.iterdir()))}"
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--window-size=1400,2000",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def probe(page: Path, script: str, tmp_path: Path) -> dict[str, Any]:
    """Run `script` in the page after its own script; it sets `window.probeResult`, which
    comes back as data."""
    wrapper = (
        '<script>window.addEventListener("load", function () {'
        + script
        + ';var out = document.createElement("pre"); out.id = "probe";'
        + "out.textContent = JSON.stringify(window.probeResult);"
        + "document.body.appendChild(out);});</script>"
    )
    copy = tmp_path / f"probe-{page.parent.name}.html"
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", wrapper + "</body>"))
    result = run_chromium(tmp_path, "--dump-dom", copy.as_uri())
    match = re.search(r'<pre id="probe">(.*?)</pre>', result.stdout, re.S)
    assert match is not None, result.stderr[-2000:]
    data: dict[str, Any] = json.loads(html.unescape(match.group(1)))
    return data


def printed_pages(page: Path, tmp_path: Path) -> int:
    """How many pages the page prints to (A4/Letter as Chromium's default, no header)."""
    pdf = tmp_path / f"{page.parent.name}.pdf"
    result = run_chromium(
        tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()
    )
    assert pdf.is_file(), result.stderr[-2000:]
    counts = re.findall(rb"/Count (\d+)", pdf.read_bytes())
    assert counts, "no page tree in the PDF"
    return max(int(n) for n in counts)
