"""Bad configuration and bad input to the CLI: one clear line, exit status 2, nothing sent."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from runs import clean_env, cli

KEY = "trk_" + "A" * 28 + "wxyz"


class _Counter(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def counting_server() -> Iterator[tuple[str, type[_Counter]]]:
    handler = type("Counter", (_Counter,), {"hits": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def _config(base_url: str, extra: str = "", phone: str = "+201001187188") -> str:
    return (
        f'base_url = "{base_url}"\n{extra}\n[keys]\nfull = "{KEY}"\n'
        f'[senders]\nactive = {{ id = 12, phone = "{phone}" }}\n'
        '[recipients]\nreachable = "+201010000000"\n'
    )


BAD_CONFIGS = {
    "invalid TOML": lambda url: _config(url).replace("[keys]", "[keys"),
    "non-E.164 phone": lambda url: _config(url, phone="01001187188"),
    "credentials in base_url": lambda url: _config(url.replace("http://", "http://user:pw@")),
    "unknown top-level entry": lambda url: _config(url, extra="colour = 'blue'"),
    "base_url not http": lambda url: _config(url.replace("http://", "ftp://")),
    "negative rate_limit": lambda url: _config(url, extra="rate_limit = -1"),
}


def _assert_one_clear_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert KEY not in stderr
    return lines[0]


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
def test_bad_config_is_one_line_exit_2_and_nothing_sent(
    case: str, tmp_path: Path, counting_server: tuple[str, type[_Counter]]
) -> None:
    url, counter = counting_server
    path = tmp_path / "target.toml"
    path.write_text(BAD_CONFIGS[case](url))
    result = cli(
        "run",
        "--config",
        str(path),
        "--report-dir",
        str(tmp_path / "r"),
        env=clean_env(),
        timeout=60,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    line = _assert_one_clear_line(result.stderr)
    assert line.startswith("tgo-conformance: ")
    assert counter.hits == 0
    assert not (tmp_path / "r").exists()


def test_missing_config_file(tmp_path: Path) -> None:
    result = cli("run", "--config", str(tmp_path / "absent.toml"), env=clean_env(), timeout=60)
    assert result.returncode == 2
    assert "absent.toml" in _assert_one_clear_line(result.stderr)


def test_unknown_profile_is_a_usage_error(tmp_path: Path) -> None:
    result = cli("run", "--profile", "thorough", env=clean_env(), timeout=60)
    assert result.returncode == 2
    assert "thorough" in result.stderr and "Traceback" not in result.stderr


def test_connection_refused_at_start(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago, now closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    path = tmp_path / "target.toml"
    path.write_text(_config(f"http://127.0.0.1:{port}"))
    result = cli("run", "--config", str(path), env=clean_env(), timeout=60, cwd=tmp_path)
    assert result.returncode == 2
    line = _assert_one_clear_line(result.stderr)
    assert "cannot reach the target" in line
    # The default report directory (reports/<time> under the current one) was not left behind,
    # not even the work files of the preflight read.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target.toml"]


def test_config_from_environment_only(
    tmp_path: Path, counting_server: tuple[str, type[_Counter]]
) -> None:
    url, counter = counting_server
    env = clean_env() | {
        "TGO_BASE_URL": url,
        "TGO_KEY_FULL": KEY,
        "TGO_SENDER_ACTIVE_ID": "12",
        "TGO_RECIPIENT_REACHABLE": "not-a-phone",
    }
    result = cli("run", env=env, timeout=60, cwd=tmp_path)
    assert result.returncode == 2
    assert "TGO_RECIPIENT_REACHABLE" in _assert_one_clear_line(result.stderr)
    assert counter.hits == 0
