"""`tgo-conformance mock --variant NAME`: the mock as a sandbox for client developers. It serves
any row of the variants table, combined where they combine, with its config and control plane
as usual; `--list-variants` lists the rows with the entry each names."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from runs import clean_env, cli

from conformance.mock.command import overridden, variant_listing
from conformance.mock.variants import VARIANTS
from conformance.rules.values import load_rules


@contextmanager
def served(tmp_path: Path, *args: str) -> Iterator[dict[str, Any]]:
    """`tgo-conformance mock ARGS --write-config` in its own process, and its config."""
    config_path = tmp_path / f"sandbox-{'-'.join(args)[:80] or 'faithful'}.toml"
    process = subprocess.Popen(
        [sys.executable, "-m", "conformance", "mock", "--port", "0",
         "--write-config", str(config_path), *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=clean_env(),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not (config_path.exists() and config_path.read_text()):
            assert process.poll() is None and time.monotonic() < deadline, "the mock did not start"
            time.sleep(0.05)
        yield tomllib.loads(config_path.read_text(encoding="utf-8"))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stderr is not None
        process.stderr.close()


def _call(config: dict[str, Any], operation_id: str, **kwargs: Any) -> httpx.Response:
    operation = load_rules().operations[operation_id]
    headers = {"X-Api-Key": config["keys"]["full"]}
    return httpx.request(
        operation.method, config["base_url"] + operation.path, headers=headers, **kwargs
    )


INVALID_SEND = {"type": "text", "sender_phone": "+201001187188", "to_phone": "12", "text": "hi"}


def test_the_400_reading_and_paged_lists_are_served_together(tmp_path: Path) -> None:
    with served(
        tmp_path, "--variant", "compat_validation_400", "--variant", "compat_paging_cursor",
        "--control",
    ) as config:  # fmt: skip
        assert _call(config, "sendMessage", json=INVALID_SEND).status_code == 400
        page = _call(config, "listSenderNumbers").json()
        assert len(page["data"]) == 2 and page["meta"]["next_cursor"]
        # The control plane works the same, and a reset and new seed keep the variant.
        for step in ("reset", "seed"):
            assert httpx.post(f"{config['base_url']}/_control/{step}").status_code == 200
        assert _call(config, "listSenderNumbers").json()["meta"]["next_cursor"]


def test_a_broken_variant_is_served_and_its_config_says_so(tmp_path: Path) -> None:
    operation = load_rules().operations["listSenderNumbers"]
    with served(tmp_path, "--variant", "accept_missing_key") as config:
        text = next(tmp_path.glob("*accept_missing_key.toml")).read_text(encoding="utf-8")
        assert "It serves the variants accept_missing_key" in text
        keyless = httpx.request(operation.method, config["base_url"] + operation.path)
        assert keyless.status_code == 200
    with served(tmp_path) as faithful:
        assert _call(faithful, "sendMessage", json=INVALID_SEND).status_code == 422
        keyless = httpx.request(operation.method, faithful["base_url"] + operation.path)
        assert keyless.status_code == 401


def test_an_unknown_variant_is_one_line_and_exit_2() -> None:
    result = cli("mock", "--variant", "compat_validation_401", env=clean_env(), timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "tgo-conformance: --variant: unknown mock variant 'compat_validation_401' "
        "(tgo-conformance mock --list-variants lists them)"
    )


def test_list_variants_names_each_rows_entry() -> None:
    result = cli("mock", "--list-variants", env=clean_env(), timeout=60)
    assert result.returncode == 0
    # (Rows are matched by name: the table's wording may move while this test runs.)
    assert result.stdout.splitlines()[0] == variant_listing().splitlines()[0]
    for variant in VARIANTS:
        line = next(li for li in result.stdout.splitlines() if li.split()[:1] == [variant.name])
        assert (variant.reading or variant.breaks) in line.split()


def test_a_later_variant_that_replaces_an_earlier_choice_is_said() -> None:
    assert overridden(["compat_paging_offset", "compat_paging_cursor"]) == [
        "compat_paging_cursor replaces compat_paging_offset's newest_first, page_size, paging"
    ]
    assert overridden(["compat_validation_400", "compat_paging_cursor"]) == []
