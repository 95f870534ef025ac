"""Redaction end to end: a target that echoes the API key everywhere it can, and not one key in
any file of the report directory, nor in what the command prints."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from leaks import assert_no_key_piece, files_under
from report_echo_server import KEYS, config_toml, echo_server
from runs import clean_env, cli

from conformance.redact import Redactor, mask_key

# Every test but the slow property tests of phone fields (Hypothesis shrinks each failure for
# seconds) and schemathesis' positive phase: every area, the schema-driven negative phase and
# the stateful test still run, about 7 s against the echo server.
NARROW = "not generated_non_e164 and not positive"


def spellings(secret: str) -> set[str]:
    """A key as text can carry it: raw, URL-encoded, JSON-escaped, HTML-escaped (and both)."""
    found = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}
    found |= {json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    found |= {html.escape(s) for s in list(found)} | {html.escape(s, False) for s in list(found)}
    return found


@pytest.fixture(scope="module")
def echo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    base = tmp_path_factory.mktemp("echo")
    with echo_server() as base_url:
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
            NARROW,
            env=clean_env(),
            cwd=base,
            timeout=300,
        )
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    yield report_dir, result.stdout + result.stderr


@pytest.mark.slow
def test_the_echo_reached_the_report_masked(echo_run: tuple[Path, str]) -> None:
    """The test means something only if the echoed keys were captured: they are, masked."""
    report_dir, _ = echo_run
    summary = json.loads((report_dir / "summary.json").read_text())
    assert summary["counts"]["failed"] > 20
    text = (report_dir / "summary.json").read_text() + (report_dir / "compliance.html").read_text()
    for name in ("full", "messages_read", "contacts_lookup"):
        assert mask_key(KEYS[name]) in text or html.escape(mask_key(KEYS[name])) in text, name
    # Echoed in a Location header, a Set-Cookie and an error message, masked in each.
    masked = mask_key(KEYS["full"])
    assert f"location: http://127.0.0.1:9/login?api_key={masked}" in text
    assert f"API key {masked} does not match any active key" in text
    assert f"x-echo-api-key: {masked}" in text


@pytest.mark.slow
def test_no_key_in_any_file_of_the_report_directory(echo_run: tuple[Path, str]) -> None:
    report_dir, _ = echo_run
    files = files_under(report_dir)
    assert {"compliance.html", "summary.json", "junit.xml", "pytest-report.html"} <= set(files)
    assert_no_key_piece(files, KEYS.values())
    for path, data in files.items():
        content = data.decode("utf-8", "replace")
        for name, secret in KEYS.items():
            for spelling in spellings(secret):
                assert spelling not in content, f"[keys].{name} in {path} as {spelling!r}"


@pytest.mark.slow
def test_no_key_in_what_the_command_prints(echo_run: tuple[Path, str]) -> None:
    _, output = echo_run
    assert "tgo-conformance: FAIL" in output
    assert_no_key_piece({"console": output}, KEYS.values())
    for name, secret in KEYS.items():
        for spelling in spellings(secret):
            assert spelling not in output, f"[keys].{name} printed as {spelling!r}"


@pytest.mark.slow
def test_curl_commands_name_the_key_variable_never_the_key(echo_run: tuple[Path, str]) -> None:
    report_dir, _ = echo_run
    summary = json.loads((report_dir / "summary.json").read_text())
    curls = [
        failure["evidence"]["curl"]
        for requirement in summary["requirements"]
        for failure in requirement["failures"]
        if failure["evidence"] and failure["evidence"].get("curl")
    ]
    assert len(curls) > 20
    assert any("$TGO_API_KEY" in curl for curl in curls)


@pytest.mark.parametrize("name", sorted(KEYS))
def test_the_redactor_masks_every_spelling_of_a_key(name: str) -> None:
    secret = KEYS[name]
    redactor = Redactor(KEYS.values())
    for spelling in spellings(secret):
        masked = redactor.text(f"before {spelling} after")
        for other in KEYS.values():
            assert other not in masked
        assert spelling not in masked, spelling
