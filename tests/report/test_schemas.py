"""The published JSON Schemas: shipped with the package, valid 2020-12, and neither vacuous nor
closed (a later kit may add fields)."""

from __future__ import annotations

import copy
import json
from importlib import resources

import jsonschema
import pytest
from report_runs import VoiceRuns

from conformance.report.schemas import MATRIX_SCHEMA, SUMMARY_SCHEMA, summary_problem


def test_schemas_ship_as_package_data() -> None:
    data = resources.files("conformance") / "data"
    for path in (SUMMARY_SCHEMA, MATRIX_SCHEMA):
        shipped = json.loads((data / path.name).read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(shipped)
        assert shipped["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.slow
def test_a_runs_summary_matches_and_a_broken_one_does_not(voice_runs: VoiceRuns) -> None:
    summary = voice_runs.broken.summary()
    assert summary_problem(summary) is None
    added = {
        **summary,
        "root_causes": [],
        "requirements": [
            {**summary["requirements"][0], "something_new": 1},
            *summary["requirements"][1:],
        ],
    }
    assert summary_problem(added) is None  # open to additions
    for path, value, says in [
        (("inputs",), None, "'inputs' is a required property"),
        (("verdict",), "maybe", "'maybe' is not one of"),
        (("name",), "", "should be non-empty"),
        (("inputs", "contract"), "not a hash", "does not match"),
    ]:
        broken = copy.deepcopy(summary)
        holder = broken
        for key in path[:-1]:
            holder = holder[key]
        if value is None:
            del holder[path[-1]]
        else:
            holder[path[-1]] = value
        problem = summary_problem(broken)
        assert problem is not None and says in problem, (path, problem)
    requirement = copy.deepcopy(summary)
    requirement["requirements"][3]["status"] = "fine"
    assert (summary_problem(requirement) or "").startswith("requirements/3/status:")
