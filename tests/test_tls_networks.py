"""Runs over staging-like networks: the mock behind TLS with a private CA, one front requiring a
client certificate, and a CONNECT proxy on loopback. Each server is started and stopped here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from runs import clean_env, cli
from tls_fronts import Certificates, ConnectProxy, make_certificates, tls_mock

from conformance.config import TargetConfig, dump_toml
from conformance.config.model import TlsFiles
from conformance.description import RunDescription
from conformance.http.client import TargetClient, TargetUnreachable
from conformance.rules.values import load_rules
from conformance.run.pytest_front import RunError, preflight

# Variables that would steer TLS or proxies from outside the test.
OUTSIDE = ("SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def _no_outside_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OUTSIDE:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("tls") / "certs")


@pytest.fixture
def https_mock(certs: Certificates) -> Iterator[TargetConfig]:
    with tls_mock(certs) as config:
        yield config


@pytest.fixture
def mtls_mock(certs: Certificates) -> Iterator[TargetConfig]:
    with tls_mock(certs, require_client_cert=True) as config:
        yield config


def _status(config: TargetConfig) -> int:
    operation = load_rules().operations["listSenderNumbers"]
    with TargetClient(config) as client:
        return client.request(operation.method, operation.path).status_code


def _preflight_error(config: TargetConfig, tmp_path: Path) -> str:
    with pytest.raises(RunError) as caught:
        preflight(RunDescription(target=config, report_dir=tmp_path))
    return str(caught.value)


def test_the_ca_bundle_makes_a_private_ca_trusted(
    https_mock: TargetConfig, certs: Certificates, tmp_path: Path
) -> None:
    assert _status(replace(https_mock, tls=TlsFiles(ca_bundle=certs.ca))) == 200
    message = _preflight_error(https_mock, tmp_path)
    assert message.startswith(
        "cannot reach the target: the target's certificate is not trusted: give the CA that "
        "signed it in [tls].ca_bundle (or TGO_TLS_CA_BUNDLE)"
    )
    assert "CERTIFICATE_VERIFY_FAILED" in message
    wrong = replace(https_mock, tls=TlsFiles(ca_bundle=certs.other_ca))
    assert "not signed by a CA of other-ca.pem" in _preflight_error(wrong, tmp_path)


def test_mutual_tls_with_the_client_certificate(
    mtls_mock: TargetConfig, certs: Certificates, tmp_path: Path
) -> None:
    apart = TlsFiles(ca_bundle=certs.ca, client_cert=certs.client_cert, client_key=certs.client_key)
    assert _status(replace(mtls_mock, tls=apart)) == 200
    together = TlsFiles(ca_bundle=certs.ca, client_cert=certs.client_combined)
    assert _status(replace(mtls_mock, tls=together)) == 200
    message = _preflight_error(replace(mtls_mock, tls=TlsFiles(ca_bundle=certs.ca)), tmp_path)
    assert message.startswith(
        "cannot reach the target: the target asked for a client certificate and none is "
        "configured ([tls].client_cert, or TGO_TLS_CLIENT_CERT)"
    )


def test_a_client_certificate_of_another_ca_is_named(
    mtls_mock: TargetConfig, certs: Certificates, tmp_path: Path
) -> None:
    stranger = make_certificates(tmp_path / "stranger")
    tls = TlsFiles(certs.ca, stranger.client_cert, stranger.client_key)
    message = _preflight_error(replace(mtls_mock, tls=tls), tmp_path)
    assert (
        "the target asked for a client certificate and refused client.pem ([tls].client_cert)"
        in message
    )


def test_requests_go_through_the_configured_proxy(
    https_mock: TargetConfig, certs: Certificates
) -> None:
    with ConnectProxy() as proxy:
        config = replace(https_mock, tls=TlsFiles(ca_bundle=certs.ca), proxy=proxy.url)
        assert _status(config) == 200
        host = https_mock.base_url.removeprefix("https://")
        assert proxy.tunnels == [host]


def test_without_a_proxy_entry_https_proxy_from_the_environment_applies(
    https_mock: TargetConfig, certs: Certificates, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ConnectProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        config = replace(https_mock, tls=TlsFiles(ca_bundle=certs.ca))
        assert _status(config) == 200
        assert len(proxy.tunnels) == 1
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        assert _status(config) == 200
        assert len(proxy.tunnels) == 1, "NO_PROXY hosts are reached directly"


def test_a_proxy_that_is_not_there_is_no_answer(
    https_mock: TargetConfig, certs: Certificates
) -> None:
    with ConnectProxy() as proxy:
        gone = proxy.url
    config = replace(https_mock, tls=TlsFiles(ca_bundle=certs.ca), proxy=gone)
    with pytest.raises(TargetUnreachable):
        _status(config)


def _write(path: Path, config: TargetConfig, tls: str, proxy: str | None = None) -> Path:
    text = dump_toml(replace(config, tls=TlsFiles(), proxy=proxy)) + tls
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.slow
def test_a_run_over_mutual_tls_through_a_proxy_passes_and_names_its_files(
    mtls_mock: TargetConfig, certs: Certificates
) -> None:
    workdir = certs.ca.parent.parent
    tls = (
        '[tls]\nca_bundle = "certs/internal-ca.pem"\nclient_cert = "certs/client.pem"\n'
        'client_key = "certs/client.key"\n'
    )
    with ConnectProxy() as proxy:
        config = _write(workdir / "staging.toml", mtls_mock, tls, proxy.url)
        report = workdir / "report"
        result = cli(
            "run", "--config", str(config), "--profile", "quick", "--report-dir", str(report),
            "--", "-k", "scopes", "-n", "2", env=clean_env(), cwd=workdir,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        assert len(proxy.tunnels) >= 3, "the controller and both workers went through it"
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    environment = summary["environment"]
    assert environment["tls"] == (
        "CAs from internal-ca.pem ([tls].ca_bundle); client certificate client.pem, key "
        "client.key ([tls].client_cert)"
    )
    assert environment["proxy"] == f"{proxy.url} (proxy in the config)"
    key_text = certs.client_key.read_text(encoding="utf-8").splitlines()[1]
    for written in report.rglob("*"):
        if written.is_file():
            assert key_text not in written.read_text(encoding="utf-8", errors="replace")

    plan = cli("plan", "--config", str(config), "--profile", "quick", env=clean_env())
    assert plan.returncode == 0, plan.stderr
    assert "client certificate client.pem" in plan.stdout


@pytest.mark.slow
def test_a_run_without_the_client_certificate_stops_at_once(
    mtls_mock: TargetConfig, certs: Certificates, tmp_path: Path
) -> None:
    config = _write(tmp_path / "staging.toml", mtls_mock, f'[tls]\nca_bundle = "{certs.ca}"\n')
    result = cli("run", "--config", str(config), "--report-dir", str(tmp_path / "r"),
                 env=clean_env())  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "the target asked for a client certificate and none is configured" in lines[0]


@pytest.mark.slow
def test_a_missing_tls_file_is_a_configuration_error_for_run_and_plan(
    mtls_mock: TargetConfig, tmp_path: Path
) -> None:
    config = _write(tmp_path / "staging.toml", mtls_mock, '[tls]\nca_bundle = "certs/ca.pem"\n')
    for command in ("run", "plan"):
        result = cli(command, "--config", str(config), env=clean_env(), cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr.strip() == (
            f"tgo-conformance: {config}: [tls].ca_bundle: no such file "
            f"({tmp_path / 'certs' / 'ca.pem'})"
        )
