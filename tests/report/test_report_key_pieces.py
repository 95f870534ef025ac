"""No piece of a key in anything a run writes, against a target that fails every auth test.

A failing auth test keeps its evidence, and its evidence is the mangled key it sent: split by
whitespace, quoted, prefixed, suffixed. The mangled forms come from the auth tests themselves,
so a new one is covered the day it is added.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from leaks import assert_no_key_piece, files_under
from report_echo_server import KEYS, config_toml, create_inverted_auth_app, echo_server
from runs import clean_env, cli

from conformance.generation.keys import MANGLED_KEYS  # what test_auth.py sends


@pytest.fixture(scope="module")
def auth_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, list[str]]]:
    base = tmp_path_factory.mktemp("inverted-auth")
    received: list[str] = []
    with echo_server(create_inverted_auth_app(received)) as base_url:
        config = base / "target.toml"
        config.write_text(config_toml(base_url))
        report_dir = base / "report"
        result = cli(
            "run",
            "--config",
            str(config),
            "--profile",
            "quick",
            "--report-dir",
            str(report_dir),
            "--",
            "-k",
            "test_auth",
            env=clean_env(),
            cwd=base,
            timeout=300,
        )
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    yield report_dir, result.stdout + result.stderr, received


@pytest.mark.slow
def test_every_auth_test_failed_and_every_mangled_key_was_sent(
    auth_run: tuple[Path, str, list[str]],
) -> None:
    report_dir, _, received = auth_run
    cases = list(ET.parse(report_dir / "junit.xml").iter("testcase"))
    assert len(cases) > 50
    # Every test that sends a key (the one that checks the configured keys' shape sends none).
    sending = [c for c in cases if "configured_keys" not in str(c.get("name"))]
    passed = [c.get("name") for c in sending if c.find("failure") is None]
    assert not passed, f"these auth tests passed, so their evidence was dropped: {passed}"
    full = KEYS["full"]
    for how, (_requirement, mangle) in MANGLED_KEYS.items():
        assert mangle(full) in received, f"the {how} form of the key never reached the target"


@pytest.mark.slow
def test_no_piece_of_any_key_in_any_output(auth_run: tuple[Path, str, list[str]]) -> None:
    report_dir, console, _ = auth_run
    outputs: dict[str, bytes | str] = {"console": console, **files_under(report_dir)}
    assert {"compliance.html", "summary.json", "junit.xml", "pytest-report.html"} <= set(outputs)
    assert_no_key_piece(outputs, KEYS.values())
