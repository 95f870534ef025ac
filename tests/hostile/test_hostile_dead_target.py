"""A target that dies mid-run: the report shows the request that killed it first, the tests it
left unanswered are errors and their requirements inconclusive (never failed), the four files
agree, the run finishes; and a dead target does not cost the timeout for every remaining
request."""

from __future__ import annotations

from pathlib import Path

import pytest
from chromium import probe, requires_chromium
from files_agree import assert_four_files_agree
from hostile_runs import Run, assert_kept_its_head, run_suite
from servers import Action, HostileFront, Request, Rule, Target, hang, hostile_target, reset

# Each test runs the suite end to end (a subprocess) against a hostile target.
pytestmark = pytest.mark.slow

TIMEOUT = 0.5
DIES_AT = 12  # the request number at which the target dies (the preflight read is number 1)
SELECTION = "auth or scopes"  # ~50 tests, ~70 requests


def dies(front: list[HostileFront], how: str) -> Rule:
    def rule(request: Request) -> Action | None:
        if request.number < DIES_AT:
            return None
        if how == "refuses":
            front[0].die()  # the process is gone: connections are refused from now on
            return reset()
        return hang()  # the process hangs: connections are accepted, nothing comes back

    return rule


class Deaths:
    """One run per way of dying, shared by the tests of this module (each takes ~10 s): the
    run, the requests the target saw, and the target (its keys)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runs: dict[str, tuple[Run, list[Request], Target]] = {}

    def __call__(self, how: str) -> tuple[Run, list[Request], Target]:
        if how not in self.runs:
            fronts: list[HostileFront] = []
            tmp = self.root / how
            tmp.mkdir()
            with hostile_target(tmp, dies(fronts, how), timeout=TIMEOUT) as target:
                fronts.append(target.front)
                run = run_suite(target, tmp / "r", "-k", SELECTION, timeout=120)
                self.runs[how] = (run, target.front.seen(), target)
        return self.runs[how]


@pytest.fixture(scope="module")
def deaths(tmp_path_factory: pytest.TempPathFactory) -> Deaths:
    return Deaths(tmp_path_factory.mktemp("dead-target"))


@pytest.mark.parametrize("how", ["refuses", "hangs"])
def test_target_dying_mid_run_is_inconclusive_with_the_killing_request_first(
    how: str, deaths: Deaths
) -> None:
    run, seen, target = deaths(how)
    after_death = [r for r in seen if r.number >= DIES_AT]
    killer = next(r for r in seen if r.number == DIES_AT)
    assert_kept_its_head(run, target)
    summary = run.summary

    # Nothing failed before the death, so the verdict is inconclusive (exit 3), not a pass.
    assert run.returncode == 3, run.output
    assert summary["verdict"] == "inconclusive"
    assert summary["complete"] is False
    assert "the target stopped answering" in summary["incomplete_reason"]
    assert run.passed(), "the tests before the death passed"
    assert not run.failed(), "a dead target alone fails no requirement"
    inconclusive = [r for r in summary["requirements"] if r["status"] == "inconclusive"]
    assert inconclusive and all("did not answer" in r["reason"] for r in inconclusive)

    # The request that killed it comes first: in summary.json, on the console, in the page.
    no_answer = summary["no_answer"]
    assert no_answer["stopped_answering"] is True
    assert no_answer["request"]["request"].startswith(f"{killer.method} "), no_answer
    assert killer.path in no_answer["request"]["request"].split("\n", 1)[0]
    assert no_answer["request"]["curl"].startswith("curl -i ")
    assert no_answer["last_answered"]["request"], "the last answered request is shown"
    assert no_answer["steps"][-1]["request"] == no_answer["request"]["request"]
    assert (run.report_dir / "replay" / "no-answer.sh").is_file()
    assert "the target stopped answering at: " in run.stdout
    page = (run.report_dir / "compliance.html").read_text(encoding="utf-8")
    assert page.index('id="no-answer"') < page.index('id="overview"')
    assert "The target stopped answering after this request" in page

    # Errors, not failures, wherever tests are counted; and every file says the same.
    counts = assert_four_files_agree(run.report_dir)
    assert counts["tests"]["failed"] == 0
    assert counts["tests"]["inconclusive"] == len(no_answer["tests_cut"]) > 0
    if how == "refuses":
        assert "Connection re" in no_answer["error"]
    else:
        assert f"timeout is {TIMEOUT}s" in no_answer["error"]
        # After 5 requests in a row without an answer the client stops sending, but for one
        # probe every 5 s: the ~50 remaining requests do not each wait out the timeout.
        reasons = " ".join(r["reason"] for r in inconclusive)
        assert "not sent: the target has not answered since" in reasons
        assert len(after_death) <= 5 + run.elapsed_s / 5 + 1, len(after_death)
    print(f"dies ({how}): run took {run.elapsed_s:.1f} s, {len(after_death)} requests after death")


DEAD_TARGET_PROBE = """
var noAnswer = document.getElementById("no-answer");
var overview = document.getElementById("overview");
var quote = document.querySelector("#ACCT-002 blockquote.quote");
var arabic = quote && quote.querySelector('span[lang="ar"]');
var button = noAnswer && noAnswer.querySelector("button.copy");
window.probeResult = {
  verdict: document.getElementById("verdict").innerText,
  noAnswerVisible: !!noAnswer && noAnswer.checkVisibility(),
  noAnswerTop: noAnswer ? noAnswer.getBoundingClientRect().top : null,
  overviewTop: overview.getBoundingClientRect().top,
  heading: noAnswer ? noAnswer.querySelector("h2").innerText : "",
  banner: document.getElementById("incomplete").innerText,
  quoteDirection: quote ? getComputedStyle(quote).direction : null,
  arabicDirection: arabic ? getComputedStyle(arabic).direction : null,
  arabicLang: arabic ? arabic.lang : null,
  button: button ? button.innerText : null
};
"""


@requires_chromium
def test_the_dead_target_report_in_a_browser(deaths: Deaths, tmp_path: Path) -> None:
    run, _, _ = deaths("refuses")
    assert run.returncode == 3, run.output
    seen = probe(run.report_dir / "compliance.html", DEAD_TARGET_PROBE, tmp_path)
    assert seen["verdict"] == "INCONCLUSIVE"
    assert seen["noAnswerVisible"], seen
    assert seen["noAnswerTop"] < seen["overviewTop"], "where it stopped answering comes first"
    assert seen["heading"] == "The target stopped answering after this request"
    assert "the target stopped answering" in seen["banner"]
    # The docs' Arabic message reads right to left, with its language named.
    assert seen["quoteDirection"] == "rtl" and seen["arabicDirection"] == "rtl"
    assert seen["arabicLang"] == "ar"
    assert seen["button"] == "Copy this curl command"
