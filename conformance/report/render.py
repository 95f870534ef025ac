"""compliance.html from a RunReport, with jinja2 (autoescaped) and one self-contained template."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from importlib import metadata
from itertools import groupby

import jinja2

from conformance.http.curl import CURL_KEY_VARIABLE
from conformance.report.model import RequirementResult, RunReport
from conformance.rules.catalogue import AREA_TITLES

# What one request or response may take on the page; summary.json keeps the whole preview.
EVIDENCE_MAX_LINES = 60
EVIDENCE_MAX_CHARS = 5000
# Occurrences of one finding listed by name, and findings shown per requirement.
OTHERS_LISTED = 8
GROUPS_SHOWN = 3

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
_SENSITIVE_LINE = re.compile(r"^(x-api-key|authorization|proxy-authorization): (.+)$", re.I | re.M)


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


def message_view(text: str) -> MessageView:
    """Split an evidence text ("METHOD url" or "HTTP nnn", headers, blank line, body), pretty-
    print a JSON body, and cut what would make the page unreadable."""
    head, _, body = text.partition("\n\n")
    start, _, headers = head.partition("\n")
    try:
        parsed = json.loads(body) if body.strip()[:1] in ("{", "[") else None
    except ValueError:
        parsed = None
    if parsed is not None:
        body = json.dumps(parsed, indent=2, ensure_ascii=False)
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


def key_hint(request_text: str) -> str | None:
    """How the report shows the key the request sent ("trk_…abcd"), to say which one to set."""
    match = _SENSITIVE_LINE.search(request_text)
    if match is None:
        return None
    value = match.group(2).strip()
    return value.split(" ", 1)[1] if value.lower().startswith(("bearer ", "basic ")) else value


def uploaded_files(curl: str) -> list[str]:
    """Local files a curl command uploads (``-F 'media=@audio.ogg;type=...'``)."""
    return list(dict.fromkeys(re.findall(r"=@([^;'\"\s]+)", curl)))


def uses_key_variable(curl: str) -> bool:
    return f"${CURL_KEY_VARIABLE}" in curl or f"${{{CURL_KEY_VARIABLE}}}" in curl


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
            for status in ("failed", "warning", "passed", "not_tested")
            if counts[status]
        )


def _by_area(results: list[RequirementResult]) -> list[Area]:
    order = list(AREA_TITLES)
    ranked = sorted(results, key=lambda r: order.index(r.requirement.area))
    return [
        Area(area, AREA_TITLES[area], list(group))
        for area, group in groupby(ranked, key=lambda r: r.requirement.area)
    ]


def _version() -> str:
    try:
        return metadata.version("tgo-conformance")
    except metadata.PackageNotFoundError:
        return "unknown"


_ENV.filters["message_view"] = message_view
_ENV.filters["key_hint"] = key_hint
_ENV.filters["uploaded_files"] = uploaded_files
_ENV.tests["using_key_variable"] = uses_key_variable
_ENV.tests["holding_forbidden_codepoints"] = lambda text: bool(_FORBIDDEN.search(str(text)))
# Text written right to left (the docs' Arabic message) gets dir="rtl" and lang="ar".
_ENV.tests["arabic"] = lambda text: bool(re.search("[\u0600-\u06ff]", str(text)))


def render_compliance_html(report: RunReport) -> str:
    template = _ENV.get_template("compliance.html.j2")
    failed = [r for r in report.requirements if r.status == "failed"]
    html = template.render(
        report=report,
        summary=report.to_summary(),
        areas=_by_area(report.requirements),
        area_titles=AREA_TITLES,
        failed_must=[r for r in failed if not r.is_warning],
        warnings=[r for r in failed if r.is_warning],
        levels=sorted({r.requirement.level for r in report.requirements}, key=_level_rank),
        version=_version(),
        key_variable=CURL_KEY_VARIABLE,
        others_listed=OTHERS_LISTED,
        groups_shown=GROUPS_SHOWN,
    )
    return visible_codepoints(html)


def _level_rank(level: str) -> int:
    return ("MUST", "SHOULD", "MAY").index(level) if level in ("MUST", "SHOULD", "MAY") else 3
