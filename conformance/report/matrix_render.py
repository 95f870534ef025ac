"""matrix.html and matrix.json from a Matrix: jinja2 (autoescaped), one self-contained page."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2

from conformance import kit_version
from conformance.report.matrix import Matrix
from conformance.report.writer import write_atomic

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("conformance.report", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def render_matrix_html(matrix: Matrix) -> str:
    return _ENV.get_template("matrix.html.j2").render(
        matrix=matrix,
        data=matrix.to_json(),
        version=kit_version(),
    )


def write_matrix(matrix: Matrix, out: Path) -> list[Path]:
    """matrix.json and matrix.html in `out` (created), each written atomically."""
    files = {
        out / "matrix.json": json.dumps(matrix.to_json(), indent=2, ensure_ascii=False) + "\n",
        out / "matrix.html": render_matrix_html(matrix),
    }
    for path, text in files.items():
        write_atomic(path, text)
    return list(files)
