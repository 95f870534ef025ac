"""Running the tgo-conformance command against a hostile target, and what every such run owes.

A run is a subprocess, as a user starts it; its peak memory is read with wait4, so the figure
is the run's own and not the test process's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leaks import assert_no_key_piece, files_under
from runs import clean_env
from runs import default_sigint as sigint_as_from_a_terminal
from servers import Target


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    elapsed_s: float
    peak_rss_mb: float
    report_dir: Path

    @property
    def output(self) -> str:
        out, err = self.stdout[-3000:], self.stderr[-3000:]
        return f"exit {self.returncode}\n--- stdout\n{out}\n--- stderr\n{err}"

    @property
    def summary(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.report_dir / "summary.json").read_text())
        return data

    def requirement(self, req_id: str) -> dict[str, Any]:
        for req in self.summary["requirements"]:
            if req["id"] == req_id:
                return dict(req)
        raise KeyError(req_id)

    def failed(self) -> set[str]:
        return {r["id"] for r in self.summary["requirements"] if r["status"] == "failed"}

    def passed(self) -> set[str]:
        return {r["id"] for r in self.summary["requirements"] if r["status"] == "passed"}

    def failure_texts(self, req_id: str) -> str:
        """Every failure message and piece of evidence of one requirement, as one text."""
        parts = []
        for failure in self.requirement(req_id)["failures"]:
            parts += [failure["message"], failure.get("expected") or ""]
            for value in (failure.get("evidence") or {}).values():
                # A piece of evidence is a text, or a list of them (the steps of a sequence).
                parts += value if isinstance(value, list) else [value]
        return "\n".join(str(part) for part in parts)

    def test_times(self) -> dict[str, float]:
        """Seconds per test case, from junit.xml."""
        tree = ET.parse(self.report_dir / "junit.xml")
        return {
            f"{case.get('classname')}::{case.get('name')}": float(case.get("time", "0"))
            for case in tree.iter("testcase")
        }


class Started:
    """A run in progress."""

    def __init__(self, args: list[str], report_dir: Path, *, default_sigint: bool) -> None:
        self.report_dir = report_dir
        # Files rather than pipes: nobody reads while it runs. Closed by finish().
        self._out = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self._err = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "conformance", *args],
            stdout=self._out,
            stderr=self._err,
            text=True,
            env=clean_env(),
            # As from a terminal: SIGINT raises KeyboardInterrupt even when this test process
            # was started with SIGINT ignored (a background job).
            preexec_fn=sigint_as_from_a_terminal if default_sigint else None,
        )

    def signal(self, signum: int) -> float:
        self.process.send_signal(signum)
        return time.monotonic()

    def finish(self, timeout: float) -> Run:
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                self.process.kill()
                _, status, usage = os.wait4(self.process.pid, 0)
                self.process.returncode = -9
                raise AssertionError(f"the run did not end within {timeout} s: {self._read()}")
            time.sleep(0.02)
        elapsed = time.monotonic() - self.started
        self.process.returncode = os.waitstatus_to_exitcode(status)
        stdout, stderr = self._read()
        return Run(
            self.process.returncode,
            stdout,
            stderr,
            elapsed,
            usage.ru_maxrss / 1024,  # KiB on Linux
            self.report_dir,
        )

    def _read(self) -> tuple[str, str]:
        texts = []
        for handle in (self._out, self._err):
            handle.seek(0)
            texts.append(handle.read())
            handle.close()
        return texts[0], texts[1]


def start_suite(
    target: Target,
    report_dir: Path,
    *pytest_args: str,
    cli_args: tuple[str, ...] = (),
    default_sigint: bool = False,
) -> Started:
    args = [
        "run",
        "--config",
        str(target.config_path),
        "--profile",
        "quick",
        "--report-dir",
        str(report_dir),
        *cli_args,
        "--",
        *pytest_args,
    ]
    return Started(args, report_dir, default_sigint=default_sigint)


def run_suite(
    target: Target,
    report_dir: Path,
    *pytest_args: str,
    cli_args: tuple[str, ...] = (),
    timeout: float = 90,
) -> Run:
    """`tgo-conformance run --config <target> --profile quick --report-dir DIR -- <args>`."""
    return start_suite(target, report_dir, *pytest_args, cli_args=cli_args).finish(timeout)


def assert_kept_its_head(run: Run, target: Target) -> None:
    """What every run against a hostile target owes: no traceback, no piece of any key
    anywhere, and the report written."""
    for stream in (run.stdout, run.stderr):
        assert "Traceback" not in stream, run.output
        assert "INTERNALERROR" not in stream, run.output
    outputs: dict[str, bytes | str] = {"stdout": run.stdout, "stderr": run.stderr}
    outputs.update(files_under(run.report_dir))
    assert_no_key_piece(outputs, target.secrets)
    for name in ("summary.json", "compliance.html", "junit.xml"):
        assert (run.report_dir / name).is_file(), f"{name} not written\n{run.output}"
