"""One request and its response as evidence: every text here is redacted before it is kept.

Evidence is a dict: the texts a person reads and copies ("request", "response", "curl") and
the same facts as data (the status, each message's start line, headers and body), which every
reader takes; nothing the kit writes here is split back apart."""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final

from conformance.config.model import OTHER_ACCOUNT
from conformance.http.multipart import FilePart, form_fields
from conformance.http.resilience import cut
from conformance.redact import Redactor

REQUEST_PREVIEW_CHARS: Final = 4 * 1024
RESPONSE_PREVIEW_CHARS: Final = 16 * 1024

# The evidence's fields that hold its messages in parts, and why no response came.
REQUEST_MESSAGE: Final = "request_message"
RESPONSE_MESSAGE: Final = "response_message"
NO_ANSWER: Final = "no_answer"
# The fields that hold what the texts "request" and "response" say, as data.
MESSAGE_FIELDS: Final = ("status_code", REQUEST_MESSAGE, RESPONSE_MESSAGE, NO_ANSWER)


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
    sent_at: float = field(default=0.0, compare=False)  # time.time() when it was sent
    har_id: str = field(default="", compare=False)  # its entry in exchanges.har ("" if none)
    operation: str | None = None  # the contract's operationId, when it was one of them
    # The body's fields (a JSON object's top level, or the form's), redacted.
    request_fields: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    # The key as the request shows it (masked: "trk_…abcd"), in its key header or
    # Authorization; the files its curl command uploads from the report directory; and the
    # shell variables that stand for keys in that command.
    key_shown: str | None = field(default=None, compare=False)
    uploads: tuple[str, ...] = field(default=(), compare=False)
    key_variables: tuple[str, ...] = field(default=(), compare=False)

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
        """The request and response as a report shows them (already redacted): each as one
        text, and as data (the status, each message's start line, headers and body)."""
        notes = []
        if self.key_name is not None:
            # Which configured key it sent, by name: the header shows only its last characters.
            notes.append(f"# key: {key_entry(self.key_name)}")
        if self.retry_waits:
            waits = ", ".join(f"{wait:g} s" for wait in self.retry_waits)
            notes.append(
                f"# sent {len(self.retry_waits) + 1} times: answered 429 before, then "
                f"waited {waits} as its Retry-After asked"
            )
        request = Message(
            f"{self.method} {self.url}",
            tuple(self.request_headers.items()),
            self.request_body,
            tuple(notes),
        )
        response = Message(
            status_line(self.status_code),
            tuple(self.response_headers.items()),
            self.response_text + (" …[truncated]" if self.truncated else ""),
        )
        evidence: dict[str, Any] = {
            "request": request.text(),
            "response": response.text(),
            "curl": self.curl_command,
            "status_code": self.status_code,
            REQUEST_MESSAGE: request.to_json(),
            RESPONSE_MESSAGE: response.to_json(),
        }
        if self.har_id:
            evidence["har_entry"] = self.har_id
        return evidence | replay_needs(
            self.operation, self.key_name, self.key_shown, self.uploads, self.key_variables
        )

    def sent(self) -> SentRequest:
        """What the request was, as a plan counts it."""
        return SentRequest(self.operation, self.method, self.status_code, self.request_fields)


# A step of a sequence keeps this much of its request and response: the failing step has the
# whole of them, and every step has its curl command.
STEP_PREVIEW_CHARS: Final = 2 * 1024


def step_evidence(evidence: Mapping[str, Any]) -> dict[str, Any]:
    """One step of a request sequence: its request, response and curl, the texts and bodies
    cut short, with the status and the messages' parts it has as data."""
    step = {
        "request": cut(str(evidence.get("request", "")), STEP_PREVIEW_CHARS),
        "response": cut(str(evidence.get("response", "")), STEP_PREVIEW_CHARS),
        "curl": evidence.get("curl", ""),
    }
    for name in (REQUEST_MESSAGE, RESPONSE_MESSAGE):
        message = Message.from_json(evidence.get(name))
        if message is not None:
            step[name] = message.cut(STEP_PREVIEW_CHARS).to_json()
    for name in ("status_code", NO_ANSWER, "har_entry"):
        if evidence.get(name) not in (None, ""):
            step[name] = evidence[name]
    return step


@dataclass(frozen=True)
class Steps:
    """The last request of a sequence as evidence, with every request before it: a stateful
    failure is reproduced by sending them all, in order."""

    exchanges: tuple[Exchange, ...]

    def evidence(self) -> dict[str, Any]:
        evidence = self.exchanges[-1].evidence()
        if len(self.exchanges) > 1:
            evidence["steps"] = [step_evidence(e.evidence()) for e in self.exchanges]
        return evidence


@dataclass(frozen=True)
class Unanswered:
    """A request that got no answer (or was not sent because the target had stopped
    answering), as evidence: the request, its curl command, and what happened instead."""

    method: str
    url: str
    headers: Mapping[str, str]  # redacted, like the body preview
    body: str
    curl_command: str
    error: str
    sent: bool  # False: not sent, the circuit breaker was open
    sent_at: float
    har_id: str = ""
    operation: str | None = None
    request_fields: tuple[tuple[str, str], ...] = ()
    key_name: str | None = None
    key_shown: str | None = None
    uploads: tuple[str, ...] = ()
    key_variables: tuple[str, ...] = ()

    @property
    def message(self) -> Message:
        """Start line, headers and body preview, as evidence shows a request."""
        return Message(f"{self.method} {self.url}", tuple(self.headers.items()), self.body)

    @property
    def request(self) -> str:
        return self.message.text()

    def evidence(self) -> dict[str, Any]:
        """The request (as text and in parts) and what happened instead of an answer: no
        status, no response message."""
        evidence: dict[str, Any] = {
            "request": self.request,
            "response": f"no answer: {self.error}",
            "curl": self.curl_command,
            REQUEST_MESSAGE: self.message.to_json(),
            NO_ANSWER: self.error,
        }
        if self.har_id:
            evidence["har_entry"] = self.har_id
        return evidence | replay_needs(
            self.operation, self.key_name, self.key_shown, self.uploads, self.key_variables
        )

    def sent_request(self) -> SentRequest:
        """What the request was, as a plan counts it (no status: no answer)."""
        return SentRequest(self.operation, self.method, None, self.request_fields)


# A sent request's field values are kept this long: enough for the phones and ids a plan
# names senders and recipients by, not a generated case's long text.
SENT_FIELD_CHARS: Final = 64


@dataclass(frozen=True)
class SentRequest:
    """One request a test sent, as data that crosses xdist workers: which operation, its
    method, the status it got (None: no answer) and its body's fields (redacted, cut)."""

    operation: str | None
    method: str
    status: int | None
    fields: tuple[tuple[str, str], ...] = ()

    def field(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "method": self.method,
            "status": self.status,
            "fields": [[name, value[:SENT_FIELD_CHARS]] for name, value in self.fields],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SentRequest:
        status = data["status"]
        return cls(
            operation=None if data["operation"] is None else str(data["operation"]),
            method=str(data["method"]),
            status=None if status is None else int(status),
            fields=tuple((str(name), str(value)) for name, value in data["fields"]),
        )


def replay_needs(
    operation: str | None,
    key_name: str | None,
    key_shown: str | None,
    uploads: Sequence[str],
    key_variables: Sequence[str],
) -> dict[str, Any]:
    """What the report says beside a curl command, as data: the operation, which key it
    sends ([keys] entry, and as the request shows it), the variables to export, the files it
    uploads from the report directory."""
    needs: dict[str, Any] = {}
    if operation is not None:
        needs["operation"] = operation
    if key_name is not None:
        needs["key_entry"] = key_entry(key_name)
    if key_shown is not None:
        needs["key_shown"] = key_shown
    if key_variables:
        needs["key_variables"] = list(key_variables)
    if uploads:
        needs["uploads"] = list(uploads)
    return needs


# Headers a key may travel in, besides the contract's key header.
KEY_CARRYING_HEADERS: Final = ("authorization", "proxy-authorization")


def shown_key(headers: Mapping[str, str], key_header: str) -> str | None:
    """The key a request sent as its (redacted) headers show it: the value of the key header,
    else of an Authorization header without its scheme ("Bearer")."""
    names = (key_header.lower(), *KEY_CARRYING_HEADERS)
    for name, value in headers.items():
        if name.lower() in names:
            value = value.strip()
            scheme, _, rest = value.partition(" ")
            return rest if scheme.lower() in ("bearer", "basic") and rest else value
    return None


def body_fields(
    json: Any, data: Mapping[str, Any] | None, redactor: Redactor
) -> tuple[tuple[str, str], ...]:
    """A body's fields as text, redacted: a JSON object's top level, or a form's fields."""
    if isinstance(json, Mapping):
        return tuple(
            (str(name), redactor.text(value if isinstance(value, str) else as_json_value(value)))
            for name, value in json.items()
        )
    return tuple((name, redactor.text(value)) for name, value in form_fields(data))


def as_json_value(value: Any) -> str:
    try:
        return jsonlib.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def key_entry(name: str) -> str:
    """The config entry a key name stands for: "[keys].full", "[other_account].key"."""
    return f"[{OTHER_ACCOUNT}].key" if name == OTHER_ACCOUNT else f"[keys].{name}"


def request_text(
    method: str, url: str, headers: Mapping[str, str], body: str, notes: Sequence[str] = ()
) -> str:
    """A request as evidence shows it: start line, headers, the kit's notes on it ("# key:
    [keys].full"), and the body after a blank line."""
    return Message(f"{method} {url}", tuple(headers.items()), body, tuple(notes)).text()


def status_line(status: int) -> str:
    """A response's start line as evidence shows it: "HTTP 201"."""
    return f"HTTP {status}"


@dataclass(frozen=True)
class Message:
    """A request or a response as evidence holds it, in parts: the start line ("POST url",
    "HTTP 201"), the headers (redacted), the body preview and, for a request, the kit's notes
    on it ("# key: [keys].full"). `text()` is what summary.json's "request" and "response"
    hold; readers take the parts, never split that text."""

    start: str
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""
    notes: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.start, *(f"{name}: {value}" for name, value in self.headers), *self.notes]
        return "\n".join(lines) + ("\n\n" + self.body if self.body else "")

    def cut(self, limit: int) -> Message:
        """The message with its body cut to `limit` characters."""
        return Message(self.start, self.headers, cut(self.body, limit), self.notes)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "start": self.start,
            "headers": dict(self.headers),
            "body": self.body,
        }
        if self.notes:
            data["notes"] = list(self.notes)
        return data

    @classmethod
    def from_json(cls, data: object) -> Message | None:
        """The message of `to_json`; None for anything else (evidence without the message in
        parts: an older summary.json's, or a request that got no answer)."""
        if not isinstance(data, Mapping):
            return None
        return cls(
            start=str(data.get("start", "")),
            headers=tuple(
                (str(name), str(value)) for name, value in data.get("headers", {}).items()
            ),
            body=str(data.get("body", "")),
            notes=tuple(str(note) for note in data.get("notes", ())),
        )


def request_message(evidence: Mapping[str, Any] | None) -> Message | None:
    """The request of `evidence` in parts, or None (evidence from an older summary.json)."""
    return Message.from_json((evidence or {}).get(REQUEST_MESSAGE))


def response_message(evidence: Mapping[str, Any] | None) -> Message | None:
    """The response of `evidence` in parts, or None (no answer, or an older summary.json)."""
    return Message.from_json((evidence or {}).get(RESPONSE_MESSAGE))


def status_code_of(evidence: Mapping[str, Any] | None) -> int | None:
    """The status the target answered with, or None: no answer, no evidence, or evidence
    from an older summary.json (which holds it only inside a text, not read back)."""
    status = (evidence or {}).get("status_code")
    return status if isinstance(status, int) and not isinstance(status, bool) else None


def request_line(evidence: Mapping[str, Any] | None) -> str:
    """The request's start line ("POST https://…/messages"), or "a request" when the evidence
    holds it only as one text (an older summary.json)."""
    message = request_message(evidence)
    return message.start if message is not None else "a request"


def answer_line(evidence: Mapping[str, Any] | None) -> str:
    """What answered the request, in a few words: "HTTP 201", "no answer", or "status
    unknown" when the evidence holds it only as one text (an older summary.json)."""
    status = status_code_of(evidence)
    if status is not None:
        return status_line(status)
    if (evidence or {}).get(NO_ANSWER) is not None:
        return "no answer"
    return "status unknown"


def as_json(value: str) -> str:
    return jsonlib.dumps(value, ensure_ascii=False)


def request_preview(
    redactor: Redactor, body: bytes | None, data: Mapping[str, Any] | None, parts: list[FilePart]
) -> str:
    """The request body as evidence shows it: text (redacted, cut), or a summary of the parts."""
    if parts:
        fields = "; ".join(f"{name}={as_json(value)}" for name, value in form_fields(data))
        files = "; ".join(
            f"{p.name}=<file {as_json(p.filename)}, {p.content_type}, "
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
