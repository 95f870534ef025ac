"""The CI recipes of docs/ci/: valid YAML, only commands and options the real CLI has, and the
matrix job's command working on the reports the per-target jobs write."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
import yaml
from runs import ServedMock, clean_env

from conformance.cli import main
from conformance.report.schemas import MATRIX_SCHEMA, schema

REPO = Path(__file__).resolve().parent.parent
CI = REPO / "docs" / "ci"
TARGETS = ("staging", "production-eu")  # the targets both recipes name
# The test's runs are short, the jobs' whole: the quick profile and the voice tests, appended
# to the job's own command line, whose options stay as the recipe has them.
NARROWED = ' --profile quick -- -k "voice and not schema"'


def github() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((CI / "github-actions.yml").read_text(encoding="utf-8"))
    return data


def gitlab() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((CI / "gitlab-ci.yml").read_text(encoding="utf-8"))
    return data


def github_lines(job: str) -> list[str]:
    steps = github()["jobs"][job]["steps"]
    return [line for step in steps for line in str(step.get("run", "")).splitlines() if line]


def gitlab_lines(job: str) -> list[str]:
    return [str(line) for line in gitlab()[job]["script"]]


def for_github(line: str, target: str) -> str:
    return re.sub(r"\$\{\{\s*matrix\.target\s*\}\}", target, line)


def for_gitlab(line: str, target: str) -> str:
    return line.replace("$TARGET", target)


RECIPES: dict[str, tuple[Callable[[str], list[str]], Callable[[str, str], str]]] = {
    "github": (github_lines, for_github),
    "gitlab": (gitlab_lines, for_gitlab),
}


def kit_commands(recipe: str) -> list[str]:
    lines, substitute = RECIPES[recipe]
    return [
        substitute(line, TARGETS[0])
        for job in ("conformance", "matrix")
        for line in lines(job)
        if line.lstrip().startswith("tgo-conformance ")
    ]


def test_recipes_parse_and_name_the_targets() -> None:
    assert github()["jobs"]["conformance"]["strategy"]["matrix"]["target"] == list(TARGETS)
    assert github()["jobs"]["matrix"]["needs"] == "conformance"
    assert gitlab()["conformance"]["parallel"]["matrix"] == [{"TARGET": list(TARGETS)}]
    assert gitlab()["matrix"]["needs"] == [{"job": "conformance", "artifacts": True}]


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_every_kit_command_and_option_exists(recipe: str) -> None:
    """Each `tgo-conformance ...` line parses with the real click command: an option renamed or
    removed in the CLI fails here, not in someone's pipeline."""
    commands = kit_commands(recipe)
    assert [shlex.split(c)[1] for c in commands] == ["run", "matrix"], commands
    for command in commands:
        words = shlex.split(command)
        sub = main.commands[words[1]]
        known = {opt for param in sub.params for opt in param.opts}
        used = [w for w in words[2:] if w.startswith("--")]
        assert set(used) <= known, (command, sorted(set(used) - known))
        try:
            sub.make_context(f"tgo-conformance {words[1]}", words[2:])
        except click.UsageError as error:
            pytest.fail(f"{recipe}: {command}: {error.format_message()}")


def test_each_target_job_keeps_its_report_and_junit() -> None:
    job = github()["jobs"]["conformance"]
    (run,) = [c for c in kit_commands("github") if " run " in c]
    report_dir = shlex.split(run)[shlex.split(run).index("--report-dir") + 1]
    uploads = [s["with"] for s in job["steps"] if str(s.get("uses", "")).startswith("actions/up")]
    assert [for_github(u["path"], TARGETS[0]) for u in uploads] == [report_dir]
    junit = [s["with"] for s in job["steps"] if "junit" in str(s.get("uses", ""))]
    assert [for_github(j["report_paths"], TARGETS[0]) for j in junit] == [f"{report_dir}/junit.xml"]
    artifacts = gitlab()["conformance"]["artifacts"]
    assert artifacts["when"] == "always"
    assert artifacts["paths"] == ["reports/$TARGET/"]
    assert artifacts["reports"]["junit"] == "reports/$TARGET/junit.xml"


def _bash(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = clean_env()
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        ["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.mark.slow
@pytest.mark.parametrize("recipe", list(RECIPES))
def test_the_matrix_job_works_on_the_target_jobs_reports(
    recipe: str, served_mock: ServedMock, tmp_path: Path
) -> None:
    """The target jobs' own command (narrowed: quick profile, voice tests) against the mock under
    each target's name, their reports laid out as the artifact download lays them, then the
    matrix job's command."""
    lines, substitute = RECIPES[recipe]
    (run,) = [line for line in lines("conformance") if "tgo-conformance run" in line]
    (matrix,) = [line for line in lines("matrix") if "tgo-conformance matrix" in line]
    (tmp_path / "targets").mkdir()
    for target in TARGETS:
        shutil.copy(served_mock.config_path, tmp_path / "targets" / f"{target}.toml")
        result = _bash(substitute(run, target) + NARROWED, tmp_path)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        if recipe == "github":  # download-artifact puts artifact report-<target> in its folder
            (tmp_path / "reports" / target).rename(tmp_path / "reports" / f"report-{target}")
    result = _bash(matrix, tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "reports" / "matrix.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema(MATRIX_SCHEMA))
    assert sorted(t["name"] for t in data["targets"]) == sorted(TARGETS)
    assert data["comparable"] is True
    assert all(t["report"].endswith(f"{t['name']}/compliance.html") for t in data["targets"])
    assert (tmp_path / "reports" / "matrix.html").is_file()
