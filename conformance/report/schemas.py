"""The published JSON Schemas (draft 2020-12) of summary.json and matrix.json, shipped as
package data; open to additions, so they list what a reader may rely on."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "data"
SUMMARY_SCHEMA = SCHEMA_DIR / "summary.schema.json"
MATRIX_SCHEMA = SCHEMA_DIR / "matrix.schema.json"


@cache
def schema(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def schema_problem(document: Any, path: Path) -> str | None:
    """Why `document` does not match the schema at `path` (the most relevant error, where it
    is), or None."""
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema(path)).iter_errors(document)
    )
    if error is None:
        return None
    where = "/".join(str(part) for part in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message


def summary_problem(summary: Any) -> str | None:
    """Why `summary` is not a summary.json of this kit, or None."""
    return schema_problem(summary, SUMMARY_SCHEMA)
