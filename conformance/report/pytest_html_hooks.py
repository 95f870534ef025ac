"""pytest-html additions: a Requirements column linking each ID to compliance.html, a title,
and a link back to the compliance report above the table.

Registered by the plugin on the controller only, and only when pytest-html writes a report:
these hooks have no spec without pytest-html, and xdist workers write no report.
"""

from __future__ import annotations

from html import escape
from typing import Any

import pytest

REPORT_PAGE = "compliance.html"
COLUMN_INDEX = 2  # after Result and Test
# pytest-html builds its rows with script, after the browser looked for the URL's #fragment:
# once they exist, this brings the test compliance.html links to (#<node id>) into view.
SCROLL_TO_TEST = """<script>
window.addEventListener("load", function () {
  var id = decodeURIComponent(window.location.hash.slice(1));
  var row = id && document.getElementById(id);
  if (row) { row.scrollIntoView(); row.style.outline = "2px solid #0969da"; }
});
</script>"""


def requirement_ids(report: pytest.TestReport) -> list[str]:
    """The requirement IDs the test's marker names (the plugin puts them in user_properties)."""
    return list(dict.fromkeys(str(v) for k, v in report.user_properties if k == "requirement"))


class PytestHtmlHooks:
    """The hooks pytest-html calls while it builds its report."""

    def pytest_html_report_title(self, report: Any) -> None:
        report.title = "TGO Business API conformance: test by test"

    def pytest_html_results_summary(
        self, prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
    ) -> None:
        prefix.append(
            f"<p>The verdict, requirement by requirement with the evidence of each failure: "
            f'<a href="{REPORT_PAGE}">{REPORT_PAGE}</a>. The Requirements column links there.</p>'
        )
        prefix.append(SCROLL_TO_TEST)

    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        cells.insert(
            COLUMN_INDEX, '<th class="sortable" data-column-type="requirements">Requirements</th>'
        )

    def pytest_html_results_table_row(self, report: pytest.TestReport, cells: list[str]) -> None:
        links = " ".join(
            f'<a href="{REPORT_PAGE}#{escape(req_id)}">{escape(req_id)}</a>'
            for req_id in requirement_ids(report)
        )
        cells.insert(COLUMN_INDEX, f'<td class="col-requirements">{links}</td>')


def wants_pytest_html_hooks(config: pytest.Config) -> bool:
    """pytest-html is loaded and writes a report in this process (the controller)."""
    return (
        config.pluginmanager.hasplugin("html")
        and bool(config.getoption("htmlpath", None))
        and not hasattr(config, "workerinput")
    )
