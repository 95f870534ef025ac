"""Replay scripts: a request sequence the report cites, as one shell script per sequence.

A finding seen in a stateful or multi-step test, and the point where the target stopped
answering, are reproduced by sending every step in order. Each script is written beside the
report (`replay/<finding>.sh`) and runs from the report directory, where the bodies its curl
commands upload are saved (`bodies/`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from conformance.http.curl import CURL_KEY_VARIABLE
from conformance.http.evidence import answer_line, request_line
from conformance.report.model import RunReport

REPLAY_DIR: Final = "replay"


@dataclass(frozen=True)
class Replay:
    path: str  # relative to the report directory
    steps: tuple[Mapping[str, Any], ...]  # the requests, in the order the test sent them
    text: str


def replay_script(title: str, steps: Sequence[Mapping[str, Any]], total: int) -> str:
    lines = [
        "#!/usr/bin/env bash",
        f"# {title}",
        "# Run from the report directory (the uploads are under bodies/), after",
        f"#   export {CURL_KEY_VARIABLE}=<the key each request names in the report>",
    ]
    if total > len(steps):
        lines.append(
            f"# The first {total - len(steps)} of the test's {total} requests are not kept."
        )
    for number, step in enumerate(steps, start=1):
        # One comment line: the start line and status come from data, so that no text of
        # the target's (a body, a header) can end the comment and run as a command.
        summary = " ".join(f"{request_line(step)} -> {answer_line(step)}".split())
        lines += ["", f"# step {number}: {summary}", str(step.get("curl", ""))]
    return "\n".join(lines) + "\n"


def _steps_of(evidence: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    return list((evidence or {}).get("steps") or [])


def replay_files(report: RunReport) -> dict[str, Replay]:
    """Scripts by what they replay: "no-answer" and finding ids ("F3")."""
    replays: dict[str, Replay] = {}
    no_answer = report.no_answer
    if no_answer is not None and no_answer.steps:
        text = replay_script(
            f"the requests of {no_answer.test}, up to the one the target did not answer",
            no_answer.steps,
            no_answer.steps_total,
        )
        replays["no-answer"] = Replay(f"{REPLAY_DIR}/no-answer.sh", tuple(no_answer.steps), text)
    sequences = {t.nodeid: t.sequence for t in report.tests if t.sequence}
    for finding in report.findings:
        example = finding.example
        steps = _steps_of(example.evidence) or list(sequences.get(example.test, ()))
        if len(steps) < 2:
            continue
        text = replay_script(
            f"{finding.id}: the requests of {example.test}, in the order it sent them",
            steps,
            len(steps),
        )
        replays[finding.id] = Replay(f"{REPLAY_DIR}/{finding.id}.sh", tuple(steps), text)
    return replays
