"""Bad input to the CLI, beyond a bad config file (tests/test_cli_errors.py): bad option values,
an unusable report directory, pytest arguments pytest refuses. Each is one clear line on stderr,
exit status 2, and nothing sent to the target."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from runs import clean_env, cli
from servers import HostileFront, respond

KEY = "trk_" + "Hq7x" * 8

CONFIG = """base_url = "{url}"
timeout = 1.0
rate_limit = 0
allow_writes = false

[keys]
full = "{key}"

[senders]
active = {{ id = 12, phone = "+201001187188" }}

[recipients]
reachable = "+201010000000"
"""

# name -> (arguments after `tgo-conformance`, given the config and a scratch folder; a text the
# one line must hold)
CASES: dict[str, tuple[Callable[[Path, Path], list[str]], str]] = {
    "max-duration-not-a-number": (
        lambda config, tmp: ["run", "--config", str(config), "--max-duration", "soon"],
        "--max-duration",
    ),
    "max-duration-zero": (
        lambda config, tmp: ["run", "--config", str(config), "--max-duration", "0"],
        "--max-duration",
    ),
    "unknown-profile": (
        lambda config, tmp: ["run", "--config", str(config), "--profile", "thorough"],
        "thorough",
    ),
    "report-dir-is-a-file": (
        lambda config, tmp: ["run", "--config", str(config), "--report-dir", str(config)],
        "--report-dir",
    ),
    "report-dir-under-a-file": (
        lambda config, tmp: ["run", "--config", str(config), "--report-dir", f"{config}/r"],
        "is not a directory",
    ),
    "baseline-without-summary": (
        lambda config, tmp: ["run", "--config", str(config), "--baseline", str(tmp)],
        "no summary.json",
    ),
    "config-is-a-directory": (lambda config, tmp: ["run", "--config", str(tmp)], "--config"),
    "unknown-command": (lambda config, tmp: ["rnu"], "rnu"),
    "pytest-unknown-option": (
        lambda config, tmp: ["run", "--config", str(config), "--", "--no-such-option"],
        "unrecognized arguments: --no-such-option",
    ),
    "pytest-bad-option-value": (
        lambda config, tmp: ["run", "--config", str(config), "--", "-n", "many"],
        "-n/--numprocesses",
    ),
    "pytest-bad-k-expression": (
        lambda config, tmp: ["run", "--config", str(config), "--", "-k", "scopes and ("],
        "-k 'scopes and ('",
    ),
    "pytest-bad-m-expression": (
        lambda config, tmp: ["run", "--config", str(config), "--", "-m", "not"],
        "-m 'not'",
    ),
}


@pytest.fixture
def counting_front() -> Iterator[HostileFront]:
    with HostileFront(lambda request: respond(200, b"[]")) as front:
        yield front


@pytest.mark.parametrize("case", list(CASES))
def test_bad_cli_input_is_one_line_exit_2_and_nothing_sent(
    case: str, tmp_path: Path, counting_front: HostileFront
) -> None:
    config = tmp_path / "target.toml"
    config.write_text(CONFIG.format(url=counting_front.base_url, key=KEY))
    arguments, named = CASES[case]
    result = cli(*arguments(config, tmp_path), env=clean_env(), timeout=60, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tgo-conformance: ") and named in lines[0], lines[0]
    assert "Traceback" not in result.stderr + result.stdout and KEY not in result.stderr
    assert result.stdout == ""
    assert counting_front.seen() == []  # nothing sent
    assert not (tmp_path / "reports").exists()  # and nothing written
