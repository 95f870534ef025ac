"""Whether a target asks for a client certificate: asked only after a request over TLS got no
answer, so that "the server hung up" can become "the target asked for a client certificate".

Servers that require one do not all say so: nginx sends a `certificate required` alert, which
the request's own error names, while others (Python's asyncio, some load balancers) close the
connection in silence. One handshake, verifying nothing and showing no certificate, tells.
"""

from __future__ import annotations

import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

_HANDSHAKE = 22  # TLS content type
_CERTIFICATE_REQUEST = 13  # TLS handshake message type


def asks_for_client_certificate(base_url: str, timeout: float) -> bool | None:
    """True when the target's TLS handshake asks for a client certificate; None when this
    cannot be told (not https, no answer, or a Python without OpenSSL's message callback)."""
    parts = urlsplit(base_url)
    if parts.scheme != "https" or not parts.hostname:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    # Only the handshake's messages matter here; nothing is sent over this connection.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    asked = False

    def seen(
        _conn: Any, direction: str, _version: Any, content_type: Any, msg_type: Any, _data: Any
    ) -> None:
        nonlocal asked
        if direction == "read" and content_type == _HANDSHAKE and msg_type == _CERTIFICATE_REQUEST:
            asked = True

    if not hasattr(context, "_msg_callback"):
        return None
    context._msg_callback = seen  # CPython's message hook (3.8+), the one way to see the request
    try:
        with (
            socket.create_connection((parts.hostname, parts.port or 443), timeout) as raw,
            context.wrap_socket(raw, server_hostname=parts.hostname),
        ):
            pass
    except (OSError, ValueError):
        # TLS 1.2 servers end the handshake themselves when no certificate comes.
        return True if asked else None
    return asked
