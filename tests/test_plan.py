"""`tgo-conformance plan`: sends nothing, counts from a dry run of the suite itself, and a
real run stays within its bound."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from runs import ServedMock, clean_env, cli, served_mock_run

from conformance.config.toml import dump_toml
from conformance.run.dry_run import make_plan

# `plan` runs the suite against the mock standing in for the target (and one test runs it for
# real): whole-suite runs, seconds each.
pytestmark = pytest.mark.slow


@contextmanager
def listening_recorder() -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """A loopback port that accepts and records every connection (and answers nothing)."""
    connections: list[tuple[str, int]] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, peer = server.accept()
            except TimeoutError:
                continue
            connections.append(peer)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", connections
    finally:
        stop.set()
        thread.join()
        server.close()


def _plan(config: Path, *args: str, cwd: Path) -> dict[str, object]:
    result = cli(
        "plan", "--config", str(config), "--format", "json", *args, env=clean_env(), cwd=cwd
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    data: dict[str, object] = json.loads(result.stdout)
    return data


def _plan_in_process(config: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The plan `plan --format json` prints, made in this process: for the tests that read what
    it counts (the command itself, its stdout and exit status, is the first test's)."""
    for name in [k for k in os.environ if k.startswith("TGO_")]:
        monkeypatch.delenv(name)  # the config file alone describes the target, as with clean_env()
    return make_plan(config, "quick").to_json()


def test_plan_sends_nothing_and_says_what_a_run_would_send(
    served_mock: ServedMock, tmp_path: Path
) -> None:
    with listening_recorder() as (url, connections):
        config = replace(served_mock.config, base_url=url, rate_limit=4.0)
        path = tmp_path / "staging.toml"
        path.write_text(dump_toml(config), encoding="utf-8")
        text = cli(
            "plan", "--config", str(path), "--profile", "quick", env=clean_env(), cwd=tmp_path
        )
        data = _plan(path, "--profile", "quick", cwd=tmp_path)
    assert connections == [], "the plan connected to the target"
    assert text.returncode == 0, text.stderr
    assert f"Plan of a run against {url}, profile quick. Nothing was sent" in text.stdout
    assert "Duration at rate_limit 4/s: about" in text.stdout
    requests = data["requests"]
    assert isinstance(requests, dict)
    assert requests["sendMessage"]["creates data"] > 0  # allow_writes = true
    assert requests["sendMessage"]["must be refused"] > 0
    assert requests["listMessages"]["read"] > 0
    writes = data["writes"]
    assert isinstance(writes, dict)
    assert set(writes["messages_from_senders"]) <= set(served_mock.config.senders)
    assert set(writes["messages_to_recipients"]) <= set(served_mock.config.recipients)
    assert data["estimated_duration_s"] == round(int(data["total"]) / 4.0, 1)  # type: ignore[call-overload]
    assert not (tmp_path / "reports").exists(), "a plan writes no report"


def test_a_read_only_plan_creates_nothing_and_names_what_is_not_tested(
    served_mock: ServedMock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = {"full": served_mock.config.keys["full"]}
    config = replace(served_mock.config, allow_writes=False, keys=keys, other_account=None)
    path = tmp_path / "read-only.toml"
    path.write_text(dump_toml(config), encoding="utf-8")
    data = _plan_in_process(path, monkeypatch)
    requests = data["requests"]
    assert isinstance(requests, dict)
    assert all(counts["creates data"] == 0 for counts in requests.values())
    not_tested = data["not_tested"]
    assert isinstance(not_tested, dict)
    missing = not_tested["a config entry is missing"]
    assert "AUTH-003" in missing and "ISO-001" in missing
    assert "LOG-002" in not_tested["the run was read-only (allow_writes = false)"]
    assert "[keys].revoked (or TGO_KEY_REVOKED)" in data["to_test_more_add"]  # type: ignore[operator]
    assert "allow_writes = true" in data["to_test_more_add"]  # type: ignore[operator]


def test_a_real_run_stays_within_the_plans_bound(
    served_mock: ServedMock,
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The real run is the quick run against the served mock that test_run_end_to_end.py reads
    # too (made once); the plan is of the very config that run used.
    run = served_mock_run(tmp_path_factory, served_mock)
    config = tmp_path / "served-mock.toml"
    config.write_text(dump_toml(run.config), encoding="utf-8")
    data = _plan_in_process(config, monkeypatch)
    summary = json.loads((run.report_dir / "summary.json").read_text())
    sent = summary["requests_sent"] + 1  # and the preflight read
    total, bound = int(data["total"]), int(data["at_most"])  # type: ignore[call-overload]
    print(f"plan: {total} requests (at most {bound}); the run sent {sent}")
    assert sent <= bound
    # The same tests against a server that answers like the mock: close to the estimate.
    assert abs(sent - total) <= 0.1 * total, (sent, total)
