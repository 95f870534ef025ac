"""How the kit reaches a target: the [tls] table and the proxy (docs/target-config.md, "TLS and
proxies").

Every file is checked when the config is read, by building the SSL context a run will use, so
that a missing, unreadable or malformed file is a configuration error naming its entry before
anything is sent. Messages name files, never their content: a client key is a secret.
"""

from __future__ import annotations

import functools
import os
import ssl
from collections.abc import Mapping
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

import httpx

from conformance.config.model import TLS_FIELDS, ConfigError, TlsFiles, proxy_shown
from conformance.config.sources import Entries, Entry, type_name

__all__ = ["PROXY_VARIABLES", "check_proxy", "check_tls", "proxy_in_effect", "ssl_context"]

# What httpx reads from the environment when the config names no proxy, by the target's scheme.
PROXY_VARIABLES: Final = {
    "https": ("HTTPS_PROXY", "ALL_PROXY"),
    "http": ("HTTP_PROXY", "ALL_PROXY"),
}


class _KeyHasPassphrase(Exception):
    pass


def _no_passphrase() -> bytes:
    # Without a callback, OpenSSL would prompt on the terminal in the middle of a run.
    raise _KeyHasPassphrase


def ssl_context(tls: TlsFiles) -> ssl.SSLContext:
    """What the HTTP client verifies the target with, and presents to it.

    Without [tls]: httpx's own default (certifi's CAs, or SSL_CERT_FILE / SSL_CERT_DIR from the
    environment). With ca_bundle: exactly those CAs, as curl's --cacert. Raises
    ssl.SSLError / OSError / ValueError for a file that will not load (`check_tls` words them).
    """
    if not tls.configured:
        return _default_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    context = (
        ssl.create_default_context(cafile=str(tls.ca_bundle))
        if tls.ca_bundle is not None
        else httpx.create_ssl_context()
    )
    if tls.client_cert is not None:
        key = None if tls.client_key is None else str(tls.client_key)
        context.load_cert_chain(str(tls.client_cert), key, password=_no_passphrase)
    return context


@functools.lru_cache(maxsize=4)
def _default_context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    # Loading certifi's CAs takes ~40 ms, and a run makes a client per process (the mutant
    # corpus makes hundreds): one context per process and CA setting, which httpx reads from
    # the same variables that key this cache. A context is safe to share between clients.
    return httpx.create_ssl_context()


def check_tls(entries: Entries, base_dir: Path) -> TlsFiles:
    """The [tls] files, resolved against `base_dir` (the config file's folder; the current one
    for values from the environment), each readable, and loadable together."""
    paths: dict[str, Path | None] = {}
    for name in TLS_FIELDS:
        entry = entries.get(f"tls.{name}")
        if entry is not None:
            paths[name] = _readable_file(entry, Path.cwd() if entry.from_env else base_dir)
        else:
            paths[name] = None
    tls = TlsFiles(**paths)
    key_entry = entries.get("tls.client_key")
    if key_entry is not None and tls.client_cert is None:
        raise ConfigError(
            f"{key_entry.label} is given without [tls].client_cert (or TGO_TLS_CLIENT_CERT): "
            f"the key belongs to a client certificate"
        )
    _check_loads(entries, tls)
    return tls


def _readable_file(entry: Entry, base_dir: Path) -> Path:
    value = entry.value
    if not isinstance(value, str):
        raise ConfigError(f"{entry.label} must be a string (a file name), not {type_name(value)}")
    if not value:
        raise ConfigError(f"{entry.label} must not be empty")
    path = Path(os.path.expanduser(value))
    if not path.is_absolute():
        path = base_dir / path
    path = path.absolute()
    if not path.exists():
        raise ConfigError(f"{entry.label}: no such file ({path})")
    if not path.is_file():
        raise ConfigError(f"{entry.label}: not a file ({path})")
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as error:
        raise ConfigError(f"{entry.label}: cannot read it ({error.strerror}: {path})") from None
    return path


def _check_loads(entries: Entries, tls: TlsFiles) -> None:
    """Build the context once now, so a file that is not PEM fails here and not mid-run."""

    def label(name: str) -> str:
        return _label(entries, name)

    if tls.ca_bundle is not None:
        try:
            ssl.create_default_context(cafile=str(tls.ca_bundle))
        except (ssl.SSLError, ValueError):
            raise ConfigError(
                f"{label('ca_bundle')}: no CA certificate in it (expected a PEM file of "
                f"certificates, -----BEGIN CERTIFICATE-----)"
            ) from None
    if tls.client_cert is None:
        return
    try:
        ssl.create_default_context().load_cert_chain(
            str(tls.client_cert),
            None if tls.client_key is None else str(tls.client_key),
            password=_no_passphrase,
        )
    except _KeyHasPassphrase:
        where = label("client_key") if tls.client_key is not None else label("client_cert")
        raise ConfigError(
            f"{where}: the private key is protected by a passphrase; give an unencrypted copy "
            f"(the kit never asks for a passphrase)"
        ) from None
    except ssl.SSLError as error:
        reason = str(error.reason or "").upper()
        if "KEY_VALUES_MISMATCH" in reason:
            raise ConfigError(
                f"{label('client_cert')}: the private key does not belong to this certificate"
            ) from None
        hint = (
            "a PEM certificate, and its private key in it or in [tls].client_key"
            if tls.client_key is None
            else "a PEM certificate, and a PEM private key in [tls].client_key"
        )
        raise ConfigError(
            f"{label('client_cert')}: the certificate and key do not load (expected {hint})"
        ) from None


def _label(entries: Entries, name: str) -> str:
    entry = entries.get(f"tls.{name}")
    return entry.label if entry is not None else f"[tls].{name}"


def check_proxy(entry: Entry | None) -> str | None:
    """The proxy URL: http(s), with a host. Its password, if any, is never shown."""
    if entry is None:
        return None
    value = entry.value
    if not isinstance(value, str):
        raise ConfigError(f"{entry.label} must be a string (a URL), not {type_name(value)}")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise ConfigError(f"{entry.label} is not a valid URL (value not shown)") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = proxy_shown(value) if parts.hostname else "(value not shown)"
        raise ConfigError(
            f"{entry.label} {shown} is not an http(s) proxy URL "
            f"(expected e.g. http://proxy.internal:3128)"
        )
    return value


def proxy_in_effect(proxy: str | None, base_url: str, env: Mapping[str, str]) -> str:
    """Which proxy the run's requests go through, as the report's environment table says it."""
    if proxy is not None:
        return f"{proxy_shown(proxy)} (proxy in the config)"
    scheme = "https" if base_url.lower().startswith("https:") else "http"
    for name in PROXY_VARIABLES[scheme]:
        value = (env.get(name) or env.get(name.lower()) or "").strip()
        if value:
            try:
                shown = proxy_shown(value)
            except ValueError:
                shown = "(not a URL)"
            no_proxy = env.get("NO_PROXY") or env.get("no_proxy")
            exempt = ", except NO_PROXY hosts" if no_proxy else ""
            return f"{shown} (from {name} in the environment{exempt})"
    return "none"


def tls_failure(error_text: str, tls: TlsFiles) -> str | None:
    """What a TLS failure of a request means for the config, in its words; None when the text
    is not one. (OpenSSL names the alert the other side sent, or what our side refused.)"""
    text = error_text.upper()
    if "CERTIFICATE_VERIFY_FAILED" in text:
        if tls.ca_bundle is not None:
            return (
                f"the target's certificate is not signed by a CA of {tls.ca_bundle.name} "
                f"([tls].ca_bundle), or does not name its host"
            )
        return (
            "the target's certificate is not trusted: give the CA that signed it in "
            "[tls].ca_bundle (or TGO_TLS_CA_BUNDLE)"
        )
    refused = ("CERTIFICATE_REQUIRED", "UNKNOWN_CA", "BAD_CERTIFICATE", "CERTIFICATE_UNKNOWN")
    if (tls.client_cert is None and "CERTIFICATE_REQUIRED" in text) or (
        tls.client_cert is not None and any(alert in text for alert in refused)
    ):
        return client_certificate_refused(tls)
    return None


def client_certificate_refused(tls: TlsFiles) -> str:
    """The words for a target that wants a client certificate it did not get, or did not
    accept."""
    if tls.client_cert is None:
        return (
            "the target asked for a client certificate and none is configured "
            "([tls].client_cert, or TGO_TLS_CLIENT_CERT)"
        )
    name = tls.client_cert.name
    return f"the target asked for a client certificate and refused {name} ([tls].client_cert)"
