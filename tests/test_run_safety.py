"""Safety on a real target: what a run may write, to whom, and how fast it may send."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from runs import ServedMock, clean_env, cli, run_in_process

from conformance.config import dump_toml
from conformance.mock.app import create_app
from conformance.mock.fixtures import seed, target_config
from conformance.mock.models import State
from conformance.mock.serving import serve_asgi
from conformance.run.orchestrate import RunOptions

pytestmark = pytest.mark.slow


def _snapshot(mock: ServedMock) -> tuple[Any, Any]:
    headers = {"X-Api-Key": mock.config.key("full") or ""}
    with httpx.Client(base_url=mock.config.base_url, headers=headers) as client:
        return client.get("/api/v1/messages").json(), client.get("/api/v1/sender-numbers").json()


def test_read_only_run_creates_nothing(served_mock: ServedMock, tmp_path: Path) -> None:
    text = served_mock.config_path.read_text().replace(
        "allow_writes = true", "allow_writes = false"
    )
    config = tmp_path / "read-only.toml"
    config.write_text(text)
    before = _snapshot(served_mock)
    # In this process: what the run sent is under test, not how the command's process ends.
    run = run_in_process(RunOptions(config=config, profile="quick", report_dir=tmp_path / "r"))
    assert run.outcome.exit_status == 0, run.output[-4000:]
    assert _snapshot(served_mock) == before
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    writes_needed = {r["id"]: r for r in summary["requirements"] if r["status"] == "not_tested"}
    assert "LOG-002" in writes_needed
    assert "allow_writes = false" in writes_needed["LOG-002"]["reason"]


def test_writes_go_only_from_configured_senders_to_configured_recipients(
    served_mock: ServedMock, tmp_path: Path
) -> None:
    options = RunOptions(config=served_mock.config_path, profile="quick", report_dir=tmp_path / "r")
    run = run_in_process(options)
    assert run.outcome.exit_status == 0, run.output[-4000:]
    messages, senders = _snapshot(served_mock)
    config = served_mock.config
    sender_ids = {str(s.id) for s in config.senders.values()}
    recipients = set(config.recipients.values())
    assert messages, "a run with writes allowed sends messages"
    for message in messages:
        assert str(message["sender_number_id"]) in sender_ids, message
        assert message["to_phone"] in recipients, message
    configured_phones = {s.phone for s in config.senders.values()}
    for sender in senders:
        # Registered numbers are configured ones or reserved for fiction (NPA-555-01XX).
        assert sender["phone"] in configured_phones or sender["phone"][5:10] == "55501", sender


class _Arrivals:
    """ASGI middleware that records when each request arrives at the server."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.times: list[float] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.times.append(time.monotonic())
        await self.app(scope, receive, send)


@pytest.fixture
def recorded_mock(tmp_path: Path) -> Iterator[tuple[Path, _Arrivals]]:
    state = State()
    seeded = seed(state)
    app = _Arrivals(create_app(state))
    config = tmp_path / "limited.toml"
    with serve_asgi(app) as base_url:
        config.write_text(dump_toml(replace(target_config(base_url, seeded), rate_limit=20.0)))
        yield config, app


def test_rate_limit_holds_across_parallel_workers(
    recorded_mock: tuple[Path, _Arrivals], tmp_path: Path
) -> None:
    config, arrivals = recorded_mock
    result = cli(
        "run",
        "--config",
        str(config),
        "--profile",
        "quick",
        "--report-dir",
        str(tmp_path / "r"),
        "--",
        "-n",
        "2",
        "-k",
        "scopes or auth",
        env=clean_env(),
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    times = sorted(arrivals.times)
    assert len(times) > 60
    # In any one-second window at most 20 requests (+1 for a window that straddles two slots).
    busiest = max(sum(1 for t in times[i:] if t - start < 1.0) for i, start in enumerate(times))
    assert busiest <= 21, busiest
    assert (times[-1] - times[0]) >= (len(times) - 1) / 20.0 * 0.95
