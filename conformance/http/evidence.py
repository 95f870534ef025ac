"""One request and its response as evidence: every text here is redacted before it is kept."""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final

from conformance.http.multipart import FilePart, form_fields
from conformance.http.redact import Redactor
from conformance.http.resilience import cut

REQUEST_PREVIEW_CHARS: Final = 4 * 1024
RESPONSE_PREVIEW_CHARS: Final = 16 * 1024


class ResponseNotJSON(ValueError):
    """`Exchange.json()` was called on a body that is not (complete) JSON."""


@dataclass(frozen=True)
class Exchange:
    """One request and its response, as evidence: every text here is redacted.

    Header names are lower-case. `request_body` is a preview (at most 4 KiB, a
    summary for multipart); `response_text` a preview (at most 16 KiB); `text`
    the whole body read (up to the client's max_body_bytes).
    """

    method: str
    url: str
    request_headers: Mapping[str, str]
    request_body: str
    status_code: int
    response_headers: Mapping[str, str]
    response_text: str
    elapsed_s: float
    truncated: bool  # the body was longer than max_body_bytes and was cut there
    key_name: str | None = None  # the [keys] entry sent (also when inside raw_key)
    response_bytes: int = 0  # bytes of body read (after content decoding)
    retry_waits: tuple[float, ...] = ()  # seconds waited after each 429 before sending again
    text: str = field(default="", repr=False, compare=False)
    curl_command: str = field(default="", repr=False, compare=False)

    def json(self) -> Any:
        """The response body parsed as JSON (parsed once); ResponseNotJSON when it is not JSON."""
        return self._parsed

    @cached_property
    def _parsed(self) -> Any:
        if self.truncated:
            raise ResponseNotJSON(
                f"{self.method} {self.url} -> {self.status_code}: response body cut at "
                f"{self.response_bytes} bytes (max_body_bytes), not parsed as JSON"
            )
        try:
            return jsonlib.loads(self.text)
        except jsonlib.JSONDecodeError as exc:
            start = self.text[:120]
            raise ResponseNotJSON(
                f"{self.method} {self.url} -> {self.status_code}: response body is not JSON "
                f"({exc.msg} at line {exc.lineno} column {exc.colno}); body starts {start!r}"
            ) from None

    def curl(self) -> str:
        """A curl command that repeats the request, with the key as "$TGO_API_KEY"."""
        return self.curl_command

    @property
    def content_type(self) -> str:
        return self.response_headers.get("content-type", "")

    def evidence(self) -> dict[str, Any]:
        """The request and response as a report shows them (already redacted)."""
        request_lines = [f"{self.method} {self.url}"]
        request_lines += [f"{name}: {value}" for name, value in self.request_headers.items()]
        response_lines = [f"HTTP {self.status_code}"]
        response_lines += [f"{name}: {value}" for name, value in self.response_headers.items()]
        if self.retry_waits:
            waits = ", ".join(f"{wait:g} s" for wait in self.retry_waits)
            request_lines.append(
                f"# sent {len(self.retry_waits) + 1} times: answered 429 before, then "
                f"waited {waits} as its Retry-After asked"
            )
        body = self.response_text + (" …[truncated]" if self.truncated else "")
        return {
            "request": "\n".join(request_lines)
            + ("\n\n" + self.request_body if self.request_body else ""),
            "response": "\n".join(response_lines) + ("\n\n" + body if body else ""),
            "curl": self.curl_command,
        }


def request_preview(
    redactor: Redactor, body: bytes | None, data: Mapping[str, Any] | None, parts: list[FilePart]
) -> str:
    """The request body as evidence shows it: text (redacted, cut), or a summary of the parts."""
    if parts:
        fields = "; ".join(f"{name}={value!r}" for name, value in form_fields(data))
        files = "; ".join(
            f"{p.name}=<file {p.filename!r}, {p.content_type}, "
            f"{'?' if p.size is None else p.size} bytes>"
            for p in parts
        )
        summary = "multipart/form-data: " + "; ".join(s for s in (fields, files) if s)
        return cut(redactor.text(summary), REQUEST_PREVIEW_CHARS)
    if not body:
        return ""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return f"<{len(body)} bytes, not UTF-8 text>"
    # Redact before cutting, so the cut cannot leave half a key behind.
    return cut(redactor.text(text), REQUEST_PREVIEW_CHARS)
