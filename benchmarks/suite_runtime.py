"""`nox -s bench`: wall time, requests sent and requests per requirement of a conformance run
against the embedded mock, for the quick and the full profile."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def measure(profile: str, workdir: Path) -> dict[str, float]:
    report_dir = workdir / profile
    env = {k: v for k, v in os.environ.items() if not k.startswith("TGO_")}
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance",
            "run",
            "--profile",
            profile,
            "--report-dir",
            str(report_dir),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=workdir,
    )
    wall = time.monotonic() - started
    summary = json.loads((report_dir / "summary.json").read_text())
    tested = summary["counts"]["passed"] + summary["counts"]["failed"]
    return {
        "exit": result.returncode,
        "wall_s": wall,
        "requests": summary["requests_sent"],
        "tested": tested,
        "per_requirement": summary["requests_sent"] / max(tested, 1),
        "tests": summary["tests"]["total"],
    }


def main() -> None:
    profiles = sys.argv[1:] or ["quick", "full"]
    with tempfile.TemporaryDirectory(prefix="tgo-bench-") as tmp:
        print(
            f"{'profile':8} {'exit':>4} {'wall s':>7} {'tests':>6} {'requests':>9} "
            f"{'tested reqs':>11} {'req/requirement':>15}"
        )
        for profile in profiles:
            m = measure(profile, Path(tmp))
            print(
                f"{profile:8} {m['exit']:>4.0f} {m['wall_s']:>7.1f} {m['tests']:>6.0f} "
                f"{m['requests']:>9.0f} {m['tested']:>11.0f} {m['per_requirement']:>15.1f}"
            )


if __name__ == "__main__":
    main()
