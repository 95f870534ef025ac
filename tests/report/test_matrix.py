"""`tgo-conformance matrix`: runs side by side, from real runs' summary.json files."""

from __future__ import annotations

import html.parser
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from report_runs import FAULT, VOICE_ONLY, Run, run_in_process
from runs import cli

from conformance.cli import main
from conformance.report.schemas import MATRIX_SCHEMA, schema


@dataclass(frozen=True)
class MatrixRuns:
    mock: Run  # named "mock": every voice requirement passes
    mock_again: Run  # named "mock" too, with FAULT on: the same target, later, broken
    other: Run  # named "other", with FAULT on


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> MatrixRuns:
    # The matrix reads their summary.json files, never their processes: run in this one.
    base = tmp_path_factory.mktemp("matrix-runs")
    mock = run_in_process(base / "mock-1", "--name", "mock", *VOICE_ONLY)
    mock_again = run_in_process(
        base / "mock-2", "--name", "mock", "--mock-variant", FAULT, *VOICE_ONLY
    )
    other = run_in_process(base / "other", "--name", "other", "--mock-variant", FAULT, *VOICE_ONLY)
    assert (mock.returncode, mock_again.returncode, other.returncode) == (0, 1, 1), other.output
    return MatrixRuns(mock, mock_again, other)


def matrix_of(out: Path, *report_dirs: Path) -> dict[str, Any]:
    """The matrix command's files, the command run in this process: these tests read what it
    writes; its exit status and error lines are the subprocess tests' below."""
    result = CliRunner().invoke(main, ["matrix", *map(str, report_dirs), "--out", str(out)])
    assert result.exit_code == 0, (result.output, result.exception)
    data: dict[str, Any] = json.loads((out / "matrix.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema(MATRIX_SCHEMA))
    return data


class _Ids(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.update(value for name, value in attrs if name == "id" and value)


def ids_in(page: Path) -> set[str]:
    parser = _Ids()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.ids


@pytest.mark.slow
def test_each_cell_is_the_runs_status_with_a_link_that_resolves(
    runs: MatrixRuns, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    data = matrix_of(out, runs.mock.report_dir, runs.other.report_dir)
    assert [t["name"] for t in data["targets"]] == ["mock", "other"]
    summaries = [runs.mock.summary(), runs.other.summary()]
    assert len(data["requirements"]) == len(summaries[0]["requirements"])
    ids: dict[str, set[str]] = {}  # each page parsed once, not once per cell linking into it
    for row in data["requirements"]:
        for cell, summary in zip(row["cells"], summaries, strict=True):
            expected = next(r for r in summary["requirements"] if r["id"] == row["id"])
            assert cell["status"] == expected["status"], (row["id"], cell)
            page, _, anchor = cell["href"].partition("#")
            if page not in ids:
                ids[page] = ids_in(out / page)
            assert anchor in ids[page], cell["href"]


@pytest.mark.slow
def test_rows_where_the_targets_disagree_come_first(runs: MatrixRuns, tmp_path: Path) -> None:
    data = matrix_of(tmp_path, runs.mock.report_dir, runs.other.report_dir)
    flags = [row["disagree"] for row in data["requirements"]]
    assert flags == sorted(flags, reverse=True)
    disagree = {row["id"] for row in data["requirements"] if row["disagree"]}
    failed = {r["id"] for r in runs.other.summary()["requirements"] if r["status"] == "failed"}
    assert "VOICE-002" in disagree and disagree == failed
    voice = next(row for row in data["requirements"] if row["id"] == "VOICE-002")
    # A failure links to the finding it is part of in that run's page.
    assert voice["cells"][1]["href"].split("#")[1].startswith("F")
    page = (tmp_path / "matrix.html").read_text(encoding="utf-8")
    assert page.index('id="VOICE-002"') < page.index('id="AUTH-001"')


@pytest.mark.slow
def test_readings_are_what_each_run_chose(runs: MatrixRuns, tmp_path: Path) -> None:
    data = matrix_of(tmp_path, runs.mock.report_dir, runs.other.report_dir)
    chosen = {
        r["id"]: [o["behaviour"] for o in r["observed"]] for r in runs.mock.summary()["readings"]
    }
    assert chosen, "the voice tests record at least one reading"
    assert {row["id"] for row in data["readings"]} >= set(chosen)
    for row in data["readings"]:
        if row["id"] in chosen:
            assert row["cells"][0]["chosen"] == chosen[row["id"]]


@pytest.mark.slow
def test_two_runs_of_one_target_show_what_changed(runs: MatrixRuns, tmp_path: Path) -> None:
    data = matrix_of(tmp_path, runs.mock.report_dir, runs.mock_again.report_dir)
    assert [change["name"] for change in data["changes"]] == ["mock"]
    change = data["changes"][0]
    assert change["verdict"] == {"from": "pass", "to": "fail"}
    assert {"id": "VOICE-002", "from": "passed", "to": "failed"} in change["requirements"]
    voice = next(row for row in data["requirements"] if row["id"] == "VOICE-002")
    assert voice["cells"][1]["previous_status"] == "passed"
    # One target, not two: its runs changing is not a disagreement between targets.
    assert not any(row["disagree"] for row in data["requirements"])


@pytest.mark.slow
def test_runs_judged_by_other_inputs_are_not_comparable(runs: MatrixRuns, tmp_path: Path) -> None:
    edited = tmp_path / "edited"
    shutil.copytree(runs.other.report_dir, edited)
    summary = json.loads((edited / "summary.json").read_text(encoding="utf-8"))
    summary["inputs"]["catalogue"] = "0" * 64  # as a run of a kit with another catalogue writes
    (edited / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    data = matrix_of(tmp_path / "out", runs.mock.report_dir, runs.other.report_dir, edited)
    assert data["comparable"] is False
    assert [(t["comparable"], t["differs"]) for t in data["targets"]] == [
        (True, []),
        (True, []),
        (False, ["catalogue"]),
    ]
    page = (tmp_path / "out" / "matrix.html").read_text(encoding="utf-8")
    assert "not comparable: judged by other catalogue" in page
    same = matrix_of(tmp_path / "same", runs.mock.report_dir, runs.other.report_dir)
    assert same["comparable"] is True and "not comparable" not in (
        tmp_path / "same" / "matrix.html"
    ).read_text(encoding="utf-8")


@pytest.mark.slow
def test_names_are_escaped_in_the_page(runs: MatrixRuns, tmp_path: Path) -> None:
    edited = tmp_path / "edited"
    shutil.copytree(runs.mock.report_dir, edited)
    summary = json.loads((edited / "summary.json").read_text(encoding="utf-8"))
    summary["name"] = "<script>alert(1)</script>"
    (edited / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    matrix_of(tmp_path / "out", edited)
    page = (tmp_path / "out" / "matrix.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "no summary.json there"),
        ("{not json", "not JSON"),
        ('{"verdict": "pass"}', "not a summary.json of this kit: "),
    ],
)
def test_an_unusable_report_dir_is_one_line_and_exit_2(
    runs: MatrixRuns, tmp_path: Path, content: str | None, says: str
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    if content is not None:
        (bad / "summary.json").write_text(content, encoding="utf-8")
    result = cli("matrix", str(runs.mock.report_dir), str(bad), "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"tgo-conformance: {bad}"), result.stderr
    assert says in lines[0]
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_the_ci_check_finds_a_matrix_that_misreports_a_run(
    runs: MatrixRuns, tmp_path: Path
) -> None:
    """tests/matrix_check.py, which .ci/run calls: silent on a faithful matrix, loud on a cell
    that says other than the run's summary.json."""
    from matrix_check import disagreements

    data = matrix_of(tmp_path, runs.mock.report_dir, runs.other.report_dir)
    summaries = {"run-1": runs.mock.summary(), "run-2": runs.other.summary()}
    assert disagreements(data, summaries) == []
    voice = next(row for row in data["requirements"] if row["id"] == "VOICE-002")
    voice["cells"][1]["status"] = "passed"
    assert disagreements(data, summaries) == [
        "VOICE-002 in run-2: matrix passed, summary.json failed"
    ]


@pytest.mark.slow
def test_an_out_that_cannot_be_written_is_one_line_and_exit_2(
    runs: MatrixRuns, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    out = tmp_path / "a-file" / "matrix"
    result = cli("matrix", str(runs.mock.report_dir), "--out", str(out))
    assert result.returncode == 2
    assert result.stderr == f"tgo-conformance: --out {out}: cannot write there (Not a directory)\n"
