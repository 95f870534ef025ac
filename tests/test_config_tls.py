"""[tls] and proxy in the target config: files resolved and checked, errors naming the entry,
the same settings in xdist workers, the report naming files and never their content."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from tls_fronts import Certificates, make_certificates

from conformance.config import ConfigError, TargetConfig, dump_toml, load_config
from conformance.config.model import TlsFiles
from conformance.description import RunDescription
from conformance.report.environment import environment

BASE = """
base_url = "https://staging.example.com"
[keys]
full = "trk_live_a1b2c3d4e5f6a7b8"
[senders]
active = { id = 12, phone = "+201001187188" }
[recipients]
reachable = "+201010000000"
"""


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("certs") / "certs")


def _config(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> TargetConfig:
    path = tmp_path / "staging.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, env=env or {})


def _error(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        _config(tmp_path, text, env)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_tls_paths_are_relative_to_the_config_file(tmp_path: Path, certs: Certificates) -> None:
    # The config sits beside certs/; the process runs elsewhere.
    config = _config(
        certs.ca.parent.parent,
        BASE
        + '[tls]\nca_bundle = "certs/internal-ca.pem"\nclient_cert = "certs/client.pem"\n'
        + 'client_key = "certs/client.key"\n',
    )
    assert config.tls == TlsFiles(certs.ca, certs.client_cert, certs.client_key)


def test_tls_variables_override_the_file_and_resolve_from_the_current_folder(
    tmp_path: Path, certs: Certificates, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(certs.ca.parent)
    config = _config(
        tmp_path,
        BASE + '[tls]\nca_bundle = "nowhere.pem"\n',
        env={"TGO_TLS_CA_BUNDLE": "internal-ca.pem", "TGO_TLS_CLIENT_CERT": "client-and-key.pem"},
    )
    assert config.tls == TlsFiles(certs.ca, certs.client_combined, None)


def test_a_missing_ca_bundle_names_the_entry(tmp_path: Path) -> None:
    message = _error(tmp_path, BASE + '[tls]\nca_bundle = "certs/ca.pem"\n')
    assert "[tls].ca_bundle: no such file" in message
    message = _error(tmp_path, BASE, env={"TGO_TLS_CA_BUNDLE": "/no/such/ca.pem"})
    assert message.startswith("TGO_TLS_CA_BUNDLE: no such file")


@pytest.mark.parametrize(
    ("tls", "expected"),
    [
        ('ca_bundle = "client.key"', "[tls].ca_bundle: no CA certificate in it"),
        ('ca_bundle = "."', "[tls].ca_bundle: not a file"),
        ("ca_bundle = 3", "[tls].ca_bundle must be a string"),
        ('client_key = "client.key"', "[tls].client_key is given without [tls].client_cert"),
        ('client_cert = "client.pem"', "[tls].client_cert: the certificate and key do not load"),
        ('ca_bundel = "ca.pem"', "unknown entry [tls].ca_bundel (did you mean 'ca_bundle'?"),
    ],
)
def test_unusable_tls_entries_are_one_line_naming_the_entry(
    certs: Certificates, tls: str, expected: str
) -> None:
    message = _error(certs.ca.parent, BASE + f"[tls]\n{tls}\n")
    assert expected in message


def test_a_key_that_belongs_to_another_certificate_is_refused(
    tmp_path: Path, certs: Certificates
) -> None:
    other = make_certificates(tmp_path / "other")
    tls = f'[tls]\nclient_cert = "{certs.client_cert}"\nclient_key = "{other.client_key}"\n'
    message = _error(tmp_path, BASE + tls)
    assert "[tls].client_cert: the private key does not belong to this certificate" in message
    assert "PRIVATE KEY" not in message


def test_a_key_with_a_passphrase_is_refused_without_a_prompt(
    tmp_path: Path, certs: Certificates
) -> None:
    encrypted = tmp_path / "encrypted.key"
    subprocess.run(
        ["openssl", "pkey", "-in", str(certs.client_key), "-aes256", "-passout", "pass:secret",
         "-out", str(encrypted)],
        check=True, capture_output=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    tls = f'[tls]\nclient_cert = "{certs.client_cert}"\nclient_key = "{encrypted}"\n'
    message = _error(tmp_path, BASE + tls)
    assert "[tls].client_key: the private key is protected by a passphrase" in message


def test_proxy_entry_and_variable(tmp_path: Path) -> None:
    config = _config(tmp_path, 'proxy = "http://proxy.internal:3128"\n' + BASE)
    assert config.proxy == "http://proxy.internal:3128"
    config = _config(tmp_path, BASE, env={"TGO_PROXY": "http://other.internal:8080"})
    assert config.proxy == "http://other.internal:8080"
    assert "socks5://proxy.internal:1080 is not an http(s) proxy URL" in _error(
        tmp_path, 'proxy = "socks5://proxy.internal:1080"\n' + BASE
    )


def test_a_proxy_password_is_a_secret(tmp_path: Path) -> None:
    config = _config(tmp_path, 'proxy = "http://ops:Pr0xyPassw0rd@proxy.internal:3128"\n' + BASE)
    assert "Pr0xyPassw0rd" not in repr(config)
    assert "Pr0xyPassw0rd" not in config.redactor().text("user ops:Pr0xyPassw0rd@proxy")
    rows = {s.name: s.value for s in environment(config, profile="full", target="t", env={})}
    assert rows["proxy"] == "http://proxy.internal:3128 (proxy in the config)"


def test_xdist_workers_get_the_same_tls_and_proxy(tmp_path: Path, certs: Certificates) -> None:
    config = replace(
        _config(tmp_path, BASE),
        tls=TlsFiles(certs.ca, certs.client_cert, certs.client_key),
        proxy="http://127.0.0.1:3128",
    )
    run = RunDescription(target=config, report_dir=tmp_path / "r")
    assert RunDescription.from_wire(run.to_wire()).target == config


def test_a_written_config_reads_back_with_its_tls_and_proxy(
    tmp_path: Path, certs: Certificates
) -> None:
    config = replace(
        _config(tmp_path, BASE),
        tls=TlsFiles(certs.ca, certs.client_combined),
        proxy="http://127.0.0.1:3128",
    )
    path = tmp_path / "written.toml"
    path.write_text(dump_toml(config), encoding="utf-8")
    assert replace(load_config(path, env={}), source=config.source) == config


def test_the_environment_table_names_files_and_where_the_proxy_came_from(
    tmp_path: Path, certs: Certificates
) -> None:
    config = replace(
        _config(tmp_path, BASE), tls=TlsFiles(certs.ca, certs.client_cert, certs.client_key)
    )
    env = {"HTTPS_PROXY": "http://u:pw1234@corp-proxy:3128", "NO_PROXY": "localhost"}
    rows = {s.name: s.value for s in environment(config, profile="full", target="t", env=env)}
    assert rows["tls"] == (
        "CAs from internal-ca.pem ([tls].ca_bundle); client certificate client.pem, key "
        "client.key ([tls].client_cert)"
    )
    assert rows["proxy"] == (
        "http://corp-proxy:3128 (from HTTPS_PROXY in the environment, except NO_PROXY hosts)"
    )
    env = {"SSL_CERT_FILE": "/etc/ca.pem"}
    without = replace(config, tls=TlsFiles())
    plain = {s.name: s.value for s in environment(without, profile="full", target="t", env=env)}
    assert plain["tls"] == "CAs from SSL_CERT_FILE in the environment; no client certificate"
    assert plain["proxy"] == "none"
