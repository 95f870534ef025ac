"""compliance.html from a RunReport, with jinja2 (autoescaped) and one self-contained template."""

from __future__ import annotations

from itertools import groupby

import jinja2

from conformance.report.model import RequirementResult, RunReport
from conformance.requirements import AREA_TITLES

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("conformance.report", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def _by_area(results: list[RequirementResult]) -> list[tuple[str, list[RequirementResult]]]:
    order = list(AREA_TITLES)
    ranked = sorted(results, key=lambda r: order.index(r.requirement.area))
    return [
        (AREA_TITLES[area], list(group))
        for area, group in groupby(ranked, key=lambda r: r.requirement.area)
    ]


def render_compliance_html(report: RunReport) -> str:
    template = _ENV.get_template("compliance.html.j2")
    return template.render(
        report=report,
        summary=report.to_summary(),
        areas=_by_area(report.requirements),
        area_titles=AREA_TITLES,
    )
