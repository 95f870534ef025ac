"""`tgo-conformance mock`: a real server on a free loopback port, its config, and Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from conformance.mock.command import mock as mock_command
from conformance.mock.serving import bind_socket

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 20.0


def start(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TGO_MOCK_CONTROL", None)
    command = [sys.executable, "-m", "conformance.mock.command", "--port", "0", *args]
    return subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def stop(process: subprocess.Popen[str]) -> int:
    """Ctrl-C, as a person would; the exit status it ends with."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def wait_until_serving(process: subprocess.Popen[str]) -> None:
    assert process.stderr is not None
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if "serving on" in line:
            return
        if not line and process.poll() is not None:
            break
    pytest.fail(f"the mock did not start (exit {process.poll()})")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    config_file = tmp_path / "mock.toml"
    process = start("--write-config", str(config_file), "--control")
    try:
        wait_until_serving(process)
        yield process, config_file
    finally:
        stop(process)


def test_serves_the_config_it_writes_and_stops_on_ctrl_c(
    served: tuple[subprocess.Popen[str], Path],
) -> None:
    process, config_file = served
    assert config_file.stat().st_mode & 0o077 == 0  # the keys are secrets
    config = tomllib.loads(config_file.read_text(encoding="utf-8"))
    assert config["base_url"].startswith("http://127.0.0.1:")
    assert config["allow_writes"] is True
    headers = {"X-Api-Key": config["keys"]["full"]}
    with httpx.Client(base_url=config["base_url"], timeout=5) as client:
        body = {
            "sender_number_id": config["senders"]["active"]["id"],
            "to_phone": config["recipients"]["reachable"],
            "type": "text",
            "content": "hello over a real socket",
        }
        assert client.post("/api/v1/messages", json=body, headers=headers).status_code == 201
        assert len(client.get("/api/v1/messages", headers=headers).json()) == 1
        assert client.post("/_control/reset").status_code == 200  # --control
    assert stop(process) == 0


def test_prints_the_config_on_stdout_without_control() -> None:
    process = start()
    try:
        wait_until_serving(process)
        assert stop(process) == 0
        assert process.stdout is not None
        config = tomllib.loads(process.stdout.read())
    finally:
        stop(process)
    assert set(config["keys"]) >= {"full", "revoked"}
    # The server is gone; its config named a loopback URL with a real port.
    assert int(config["base_url"].rsplit(":", 1)[1]) > 0


def test_control_plane_is_off_by_default_over_http() -> None:
    process = start()
    try:
        wait_until_serving(process)
        assert process.stdout is not None
        lines = []
        while not lines or not lines[-1].startswith("unverified"):
            lines.append(process.stdout.readline())
        base_url = tomllib.loads("".join(lines))["base_url"]
        response = httpx.post(base_url + "/_control/reset", timeout=5)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    finally:
        stop(process)


def test_help_names_the_options() -> None:
    result = CliRunner().invoke(mock_command, ["--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--write-config", "--control / --no-control"):
        assert option in result.output


def test_responses_do_not_wait_for_delayed_acks() -> None:
    """bind_socket must say TCP, or asyncio leaves Nagle on and each response waits ~40 ms."""
    sock = bind_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
    # asyncio sets TCP_NODELAY on a server's connections only when the listening socket says
    # IPPROTO_TCP (asyncio.base_events._set_nodelay). Without it 20 sequential requests take
    # ~0.9 s instead of a few ms: a speed, measured by `nox -s bench_mock`, not asserted here.
