"""compliance.html in a real browser (headless Chromium): after its script ran, the verdict and a
failure's evidence are visible and the filters work. Saves a screenshot under reports/."""

from __future__ import annotations

from pathlib import Path

import pytest
from chromium import printed_pages, probe, requires_chromium, run_chromium
from report_runs import VoiceRuns

SCREENSHOT = Path(__file__).resolve().parents[2] / "reports" / "compliance-screenshot.png"

pytestmark = requires_chromium

# Run in the page after its own script (chromium.probe): what a person would see.
PROBE = """
function seen(el) {
  if (!el) return null;
  var box = el.getBoundingClientRect();
  var visible = el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null;
  return {visible: visible && box.width > 0 && box.height > 0, text: el.innerText};
}
function shownRows() {
  return Array.prototype.filter.call(document.querySelectorAll("tbody.req"),
    function (row) { return row.checkVisibility(); }).map(function (row) { return row.id; });
}
var link = document.querySelector('#findings .finding a[href="#VOICE-002"]');
var card = link && link.closest(".finding");
var result = {
  verdict: seen(document.getElementById("verdict")),
  headline: seen(document.getElementById("verdict-text")),
  finding: seen(card),
  curl: seen(card && card.querySelector(".repro pre")),
  rows: shownRows().length
};
var failed = document.getElementById("f-failed");
failed.checked = true;
failed.dispatchEvent(new Event("change"));
result.failedOnly = shownRows();
result.shownText = document.getElementById("shown").textContent;
window.probeResult = result;
"""


@pytest.mark.slow
def test_verdict_and_evidence_are_visible_in_a_browser(
    voice_runs: VoiceRuns, tmp_path: Path
) -> None:
    seen = probe(voice_runs.broken.report_dir / "compliance.html", PROBE, tmp_path)

    assert seen["verdict"] == {"visible": True, "text": "FAIL"}
    assert seen["headline"]["visible"] and "MUST requirement" in seen["headline"]["text"]
    finding = seen["finding"]
    assert finding["visible"]
    for text in ("answered 201", "422", "For voice messages", "sending-messages.txt"):
        assert text in finding["text"], text
    assert "POST http://127.0.0.1:" in finding["text"] and "HTTP 201" in finding["text"]
    assert seen["curl"]["visible"] and seen["curl"]["text"].startswith("curl -i http://127.0.0.1:")
    assert "$TGO_API_KEY" in seen["curl"]["text"]
    # "failed only" leaves the failed requirements, and the counter says so.
    assert seen["rows"] == len(voice_runs.broken.summary()["requirements"])
    failed = sorted(
        r["id"] for r in voice_runs.broken.summary()["requirements"] if r["status"] == "failed"
    )
    assert sorted(seen["failedOnly"]) == failed
    assert seen["shownText"] == f"showing {len(failed)} of {seen['rows']} requirements"


@pytest.mark.slow
def test_a_screenshot_of_the_report_is_saved(voice_runs: VoiceRuns, tmp_path: Path) -> None:
    SCREENSHOT.parent.mkdir(exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    page = voice_runs.broken.report_dir / "compliance.html"
    # As the "What failed" link opens it: the verdict, then the failures with their evidence.
    result = run_chromium(tmp_path, f"--screenshot={SCREENSHOT}", page.as_uri() + "?failed")
    assert SCREENSHOT.is_file(), result.stderr[-2000:]
    data = SCREENSHOT.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1400, 2000)
    assert len(data) > 50_000  # a rendered page, not a blank one


@pytest.mark.slow
def test_a_failing_run_prints_in_a_few_pages(voice_runs: VoiceRuns, tmp_path: Path) -> None:
    pages = printed_pages(voice_runs.broken.report_dir / "compliance.html", tmp_path)
    print(f"one broken rule: {pages} printed pages")
    assert pages <= 8, pages
