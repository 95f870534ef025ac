"""compliance.html from a RunReport, with jinja2 (autoescaped) and one self-contained template."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from conformance import kit_version
from conformance.http.curl import CURL_KEY_VARIABLE
from conformance.http.evidence import (
    MESSAGE_FIELDS,
    answer_line,
    request_line,
    request_message,
    response_message,
)
from conformance.report.causes import RootCause, observed_status, root_causes_of
from conformance.report.model import RequirementResult, RunReport
from conformance.report.replay import Replay, replay_files
from conformance.rules.catalogue import AREA_TITLES, level_rank

# What one request or response may take on the page; summary.json keeps the whole preview.
EVIDENCE_MAX_LINES = 60
EVIDENCE_MAX_CHARS = 5000
# Occurrences of one finding listed by name.
OTHERS_LISTED = 8
# On paper, the findings after this many show what was seen and expected, not the exchange.
PRINT_IN_FULL = 4
# A request or response with more header lines than this shows them folded.
HEADERS_SHOWN = 4

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("conformance.report", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)

# Code points HTML forbids in a document (controls other than whitespace, surrogates,
# noncharacters): a target's response may hold any of them.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
    )
    + "]"
)


def visible_codepoints(text: str) -> str:
    """``text`` with every code point HTML forbids written as an escape (``\\x1b``)."""

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group(0))
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _FORBIDDEN.sub(escape, text)


@dataclass(frozen=True)
class MessageView:
    """A request or a response as the page shows it: start line, headers, (pretty) body."""

    start: str
    headers: str
    body: str
    cut: str  # what was left out, or ""

    @property
    def header_count(self) -> int:
        return len(self.headers.splitlines()) if self.headers else 0

    @property
    def fold_headers(self) -> bool:
        """Long headers fold, so that the body stays in view."""
        return self.header_count > HEADERS_SHOWN


def message_view(evidence: Mapping[str, Any], side: str) -> MessageView:
    """The request or the response (`side`) of `evidence` as the page shows it: from its
    parts, a JSON body pretty-printed; evidence that holds it only as one text (an older
    summary.json's) is shown whole, unsplit. Cut where it would make the page unreadable."""
    message = request_message(evidence) if side == "request" else response_message(evidence)
    if message is None:
        return _shown("", "", str(evidence.get(side, "")))
    headers = "\n".join([*(f"{name}: {value}" for name, value in message.headers), *message.notes])
    return _shown(message.start, headers, pretty_json(message.body))


def pretty_json(body: str) -> str:
    """A JSON body indented; any other body as it is."""
    try:
        parsed = json.loads(body) if body.strip()[:1] in ("{", "[") else None
    except ValueError:
        parsed = None
    return body if parsed is None else json.dumps(parsed, indent=2, ensure_ascii=False)


def _shown(start: str, headers: str, body: str) -> MessageView:
    lines = body.split("\n")
    cut = []
    if len(lines) > EVIDENCE_MAX_LINES:
        cut.append(f"{len(lines) - EVIDENCE_MAX_LINES} more lines")
        body = "\n".join(lines[:EVIDENCE_MAX_LINES])
    if len(body) > EVIDENCE_MAX_CHARS:
        cut.append(f"{len(body) - EVIDENCE_MAX_CHARS} more characters")
        body = body[:EVIDENCE_MAX_CHARS]
    note = f"… {' and '.join(cut)} not shown (summary.json has them)" if cut else ""
    return MessageView(start, headers, body, note)


_ARABIC = "[\u0600-\u06ff]"
_ARABIC_RUN = re.compile(f"{_ARABIC}(?:[^\"“”'\n]*[\u0600-\u06ff.])?")
# The docs' text pages lost the space between a table's cells and after a heading
# ("401 UnauthorizedAPI key is missing"): a lower-case letter runs into a capital.
_MERGED_CELLS = re.compile(r"(?<=[a-z)])(?=[A-Z][a-z]|[A-Z]{2})")


def docs_text(text: str) -> Markup:
    """Words of the docs as the page shows them: the space between merged table cells put
    back, and Arabic runs marked right-to-left (their Latin words, "TGO Connect", inside)."""
    spaced = _MERGED_CELLS.sub(" ", str(text))
    return bidi(spaced)


def bidi(text: str) -> Markup:
    """`text` escaped, each Arabic run in a span laid out right to left."""
    parts: list[str | Markup] = []
    last = 0
    for match in _ARABIC_RUN.finditer(text):
        parts.append(text[last : match.start()])
        parts.append(Markup('<span dir="rtl" lang="ar">{}</span>').format(match.group(0)))
        last = match.end()
    parts.append(text[last:])
    return Markup("").join(parts)


def pytest_link(test: str, inconclusive: bool = False) -> str:
    """The test's entry in pytest-report.html (pytest-html names a test's rows by node id; a
    test the target left unanswered is an error there, reported at its setup)."""
    return "pytest-report.html#" + quote(test + ("::setup" if inconclusive else ""), safe="")


OBSERVED_MAX_LINES = 8
OBSERVED_MAX_CHARS = 600


def observed(text: str) -> str:
    """What a failure observed, short enough to read at a glance (a generated case's message
    can hold the whole schema it was checked against; summary.json keeps all of it)."""
    lines = str(text).strip().splitlines()
    short = "\n".join(line for line in lines[:OBSERVED_MAX_LINES])
    if len(short) > OBSERVED_MAX_CHARS:
        short = short[:OBSERVED_MAX_CHARS].rstrip()
    if short != str(text).strip():
        short += " … (the whole message is in summary.json)"
    return short


def key_hint(evidence: Mapping[str, Any]) -> str | None:
    """How the report shows the key the request sent ("trk_…abcd"), to say which one to set
    (the client records it with the exchange)."""
    shown = evidence.get("key_shown")
    return None if shown is None else str(shown)


def uploaded_files(evidence: Mapping[str, Any]) -> list[str]:
    """Files the request's curl command uploads from the report directory, saved there."""
    return [str(path) for path in evidence.get("uploads", ())]


def key_variables(evidence: Mapping[str, Any]) -> list[str]:
    """The key variables the request's curl command reads ($TGO_API_KEY, the other account's)."""
    return [str(variable) for variable in evidence.get("key_variables", ())]


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    results: list[RequirementResult]

    @property
    def counts_line(self) -> str:
        """A line such as "1 failed · 7 passed · 7 not tested": the worst status first."""
        counts = Counter(r.shown_status for r in self.results)
        return " · ".join(
            f"{counts[status]} {status.replace('_', ' ')}"
            for status in ("failed", "warning", "waived", "inconclusive", "passed", "not_tested")
            if counts[status]
        )


def _by_area(results: list[RequirementResult]) -> list[Area]:
    order = list(AREA_TITLES)
    ranked = sorted(results, key=lambda r: order.index(r.requirement.area))
    return [
        Area(area, AREA_TITLES[area], list(group))
        for area, group in groupby(ranked, key=lambda r: r.requirement.area)
    ]


_ENV.filters["message_view"] = message_view
_ENV.filters["request_line"] = request_line
_ENV.filters["answer_line"] = answer_line
_ENV.filters["key_hint"] = key_hint
_ENV.filters["uploaded_files"] = uploaded_files
_ENV.filters["key_variables"] = key_variables
_ENV.tests["holding_forbidden_codepoints"] = lambda text: bool(_FORBIDDEN.search(str(text)))
# Text written right to left (the docs' Arabic message) gets dir="rtl" and lang="ar".
_ENV.tests["arabic"] = lambda text: bool(re.search(_ARABIC, str(text)))
_ENV.filters["docs_text"] = docs_text
_ENV.filters["bidi"] = bidi
_ENV.filters["pytest_link"] = pytest_link
_ENV.filters["observed"] = observed


def render_compliance_html(report: RunReport, replays: dict[str, Replay] | None = None) -> str:
    """The page; `replays` are the report's replay scripts when the caller has them already."""
    template = _ENV.get_template("compliance.html.j2")
    failed = [r for r in report.requirements if r.status == "failed"]
    findings = report.findings
    root_causes = root_causes_of(findings)
    cause_of_finding = {f.id: cause.id for cause in root_causes for f in cause.findings}
    causes_of_req: dict[str, list[RootCause]] = {}
    for cause in root_causes:
        for result in cause.requirements:
            causes_of_req.setdefault(result.requirement.id, []).append(cause)
    inconclusive_tests = {t.nodeid for t in report.tests if t.outcome == "inconclusive"}
    html = template.render(
        report=report,
        summary=report.to_summary(),
        areas=_by_area(report.requirements),
        area_titles=AREA_TITLES,
        failed_must=[r for r in failed if not r.is_warning],
        warnings=[r for r in failed if r.is_warning],
        findings=findings,
        root_causes=root_causes,
        cause_of_finding=cause_of_finding,
        shared_causes={cause.id for cause in root_causes if len(cause.findings) > 1},
        causes_of_req=causes_of_req,
        failure_status=observed_status,
        inconclusive_tests=inconclusive_tests,
        replays=replay_files(report) if replays is None else replays,
        not_tested=report.not_tested_breakdown(),
        levels=sorted({r.requirement.level for r in report.requirements}, key=level_rank),
        version=kit_version(),
        key_variable=CURL_KEY_VARIABLE,
        others_listed=OTHERS_LISTED,
        print_in_full=PRINT_IN_FULL,
        message_fields=MESSAGE_FIELDS,
    )
    return visible_codepoints(html)
