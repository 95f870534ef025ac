"""CI's matrix (.ci/run): `tgo-conformance matrix` over the runs the tests kept under
$TGO_MATRIX_REPORTS (the blind servers and the bundled mock), and a check that the matrix says
what each run's summary.json says.

    python tests/matrix_check.py REPORTS_DIR

Prints what the matrix shows (verdicts, the rows where the targets disagree); exit 1 when the
matrix and a summary.json disagree, 2 when there is nothing to build it from.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema

from conformance.report.schemas import MATRIX_SCHEMA, schema


def disagreements(matrix: dict[str, Any], summaries: dict[str, dict[str, Any]]) -> list[str]:
    """Where the matrix says other than a run's summary.json (column id -> summary)."""
    problems = []
    for row in matrix["requirements"]:
        for cell in row["cells"]:
            statuses = {r["id"]: r["status"] for r in summaries[cell["target"]]["requirements"]}
            if statuses.get(row["id"]) != cell["status"]:
                problems.append(
                    f"{row['id']} in {cell['target']}: matrix {cell['status']}, "
                    f"summary.json {statuses.get(row['id'])}"
                )
    for row in matrix["readings"]:
        for cell in row["cells"]:
            chosen = {
                r["id"]: [o["behaviour"] for o in r["observed"]]
                for r in summaries[cell["target"]]["readings"]
            }
            if chosen.get(row["id"], []) != cell["chosen"]:
                problems.append(f"{row['id']} in {cell['target']}: readings differ")
    for target in matrix["targets"]:
        summary = summaries[target["id"]]
        if (target["name"], target["verdict"]) != (summary["name"], summary["verdict"]):
            problems.append(f"{target['id']}: name or verdict differs from its summary.json")
    return problems


def main(reports: Path) -> int:
    runs = sorted(p.parent for p in reports.glob("*/summary.json"))
    if not runs:
        print(f"matrix: no run kept under {reports}", file=sys.stderr)
        return 2
    built = subprocess.run(
        [sys.executable, "-m", "conformance", "matrix", *map(str, runs), "--out", str(reports)],
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode != 0:
        print(f"matrix: tgo-conformance matrix failed: {built.stderr.strip()}", file=sys.stderr)
        return 1
    matrix = json.loads((reports / "matrix.json").read_text(encoding="utf-8"))
    jsonschema.validate(matrix, schema(MATRIX_SCHEMA))
    summaries = {
        f"run-{n}": json.loads((run / "summary.json").read_text(encoding="utf-8"))
        for n, run in enumerate(runs, start=1)
    }
    problems = disagreements(matrix, summaries)
    for target in matrix["targets"]:
        print(f"matrix: {target['name']}: {target['verdict']}")
    names = {t["id"]: t["name"] for t in matrix["targets"]}
    for row in matrix["requirements"]:
        if row["disagree"]:
            seen = ", ".join(f"{names[c['target']]} {c['status']}" for c in row["cells"])
            print(f"matrix: {row['id']} ({row['level']}) differs: {seen}")
    for row in matrix["readings"]:
        if row["disagree"]:
            seen = "; ".join(
                f"{names[c['target']]}: {' / '.join(c['chosen']) or 'not seen'}"
                for c in row["cells"]
            )
            print(f"matrix: {row['id']} ({row['topic']}) differs: {seen}")
    print(
        f"matrix: {reports / 'matrix.html'} ({len(runs)} runs, comparable: {matrix['comparable']})"
    )
    for problem in problems:
        print(f"matrix: disagrees with summary.json: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python tests/matrix_check.py REPORTS_DIR", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(Path(sys.argv[1])))
