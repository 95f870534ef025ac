"""Shared fixtures of the kit's own tests: a mock served over real HTTP on loopback."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from runs import ServedMock

from conformance.config import load_config


@pytest.fixture(scope="session")
def served_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedMock]:
    """`tgo-conformance mock` in its own process on a free 127.0.0.1 port, and its config."""
    directory = tmp_path_factory.mktemp("served-mock")
    config_path = directory / "mock.toml"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "conformance",
            "mock",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--write-config",
            str(config_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not config_path.exists() or not config_path.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the mock did not start: {process.stderr.read() if process.stderr else ''}"
                )
            time.sleep(0.05)
        yield ServedMock(config_path, load_config(config_path, env={}))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
