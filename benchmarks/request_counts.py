"""`nox -s request_counts`: the plan's requests per test, for the progress estimate (eta.py).

Runs the plan's dry run (the suite against the bundled mock, in this process) for each profile,
with writes allowed and not, against a config with every entry, and counts each test's requests
from the dry run's records of what it sent. Writes conformance/data/requests-per-test.json. Run
it after changing what the suite sends; a test missing from the table counts as an average one.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from conformance.mock.embedded import embedded_mock
from conformance.profiles import PROFILES
from conformance.report.eta import TABLE_FILE
from conformance.run.orchestrate import RunOptions, execute

OUT = Path(__file__).resolve().parents[1] / "conformance" / "data" / TABLE_FILE
SEED = 1  # the counts of one seed: a fixed, reviewable table


def counts(profile: str, allow_writes: bool) -> dict[str, int]:
    with embedded_mock() as mock:
        every_entry = replace(mock.config, allow_writes=allow_writes)
    with tempfile.TemporaryDirectory(prefix="tgo-counts-") as tmp:
        quiet = io.StringIO()
        with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            outcome = execute(
                RunOptions(
                    report_dir=Path(tmp) / "dry-run",
                    profile=profile,
                    seed=SEED,
                    stand_in_for=every_entry,
                )
            )
        assert outcome.report is not None, quiet.getvalue()[-2000:]
        return {
            test.nodeid: len(outcome.sent.get(test.nodeid, ()))
            for test in sorted(outcome.report.tests, key=lambda t: t.nodeid)
        }


def main() -> None:
    table = {
        profile: {
            "writes_allowed": counts(profile, True),
            "read_only": counts(profile, False),
        }
        for profile in PROFILES
    }
    OUT.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    for profile, by_mode in table.items():
        for mode, per_test in by_mode.items():
            print(
                f"{profile:6} {mode:15} {len(per_test):4} tests {sum(per_test.values()):6} requests"
            )
    print(f"written: {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}")


if __name__ == "__main__":
    sys.exit(main())
