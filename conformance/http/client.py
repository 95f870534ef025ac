"""The suite's HTTP client: auth per key name, rate limit, timeout, body cap, recording, redaction.

Every request goes through `TargetClient.request`, which returns an `Exchange`:
the evidence a test attaches to its requirement. An exchange holds only redacted
text, so printing one (or failing on one) never shows a key.

Against a hostile or broken target (docs/hostile-targets.md) the client keeps its head:
`timeout` bounds the whole exchange, headers and body (a server trickling one byte a
second cannot hold a request longer); the body read stops at `max_body_bytes`; redirects
are never followed; a 429 is retried as its Retry-After asks, within fixed bounds and
through the rate limiter; and once the target stops answering, a circuit breaker fails
requests at once instead of waiting out the timeout for each.
"""

from __future__ import annotations

import codecs
import email.utils
import json as jsonlib
import math
import mimetypes
import re
import shlex
import threading
import time
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from functools import cached_property
from pathlib import Path
from typing import Any, Final

import httpcore
import httpx

from conformance.config import TargetConfig
from conformance.http.ratelimit import RateLimiter

__all__ = [
    "CURL_KEY_VARIABLE",
    "DEFAULT_MAX_BODY_BYTES",
    "KEY_HEADER",
    "NO_JSON",
    "Exchange",
    "KeyNotConfigured",
    "ResponseNotJSON",
    "TargetClient",
    "TargetNotAnswering",
    "TargetTimeout",
    "TargetUnreachable",
]

KEY_HEADER: Final = "X-Api-Key"
CURL_KEY_VARIABLE: Final = "TGO_API_KEY"
DEFAULT_MAX_BODY_BYTES: Final = 5 * 1024 * 1024
REQUEST_PREVIEW_CHARS: Final = 4 * 1024
RESPONSE_PREVIEW_CHARS: Final = 16 * 1024
CURL_BODY_CHARS: Final = 16 * 1024
HISTORY_SIZE: Final = 200
DECODED_PIECE: Final = 256 * 1024  # a compressed body is inflated this much at a time
# The history also holds at most this many body bytes: 200 responses cut at 5 MiB would be 1 GiB.
HISTORY_MAX_BYTES: Final = 64 * 1024 * 1024
USER_AGENT: Final = "tgo-conformance"

# A 429 is sent again at most this many times, each after the wait its Retry-After asks (a
# missing or unreadable one: RETRY_AFTER_DEFAULT_S). A wait longer than RETRY_AFTER_MAX_WAIT_S
# is not waited: the 429 is returned as it is, and the test sees it.
RATE_LIMIT_RETRIES: Final = 3
RETRY_AFTER_MAX_WAIT_S: Final = 10.0
RETRY_AFTER_DEFAULT_S: Final = 1.0

# After this many requests in a row got no answer (timed out, or the connection was refused)
# requests fail at once, except one probe every max(BREAKER_PROBE_MIN_S, 2 x timeout) seconds.
BREAKER_THRESHOLD: Final = 5
BREAKER_PROBE_MIN_S: Final = 5.0


class _NoJSON:
    def __repr__(self) -> str:
        return "NO_JSON"


# Sentinel for "no JSON body", so that json=None can send the JSON literal null.
NO_JSON: Final = _NoJSON()


class TargetUnreachable(Exception):
    """The request got no HTTP response (connection refused or reset, protocol error, ...)."""


class TargetTimeout(TargetUnreachable):
    """The target did not answer within the configured timeout."""


class TargetNotAnswering(TargetUnreachable):
    """Not sent: the target stopped answering earlier requests (the circuit breaker is open)."""


class ResponseNotJSON(ValueError):
    """`Exchange.json()` was called on a body that is not (complete) JSON."""


class KeyNotConfigured(LookupError):
    """The request asked for a key name the target config does not give; str() says which."""


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


@dataclass(frozen=True)
class _FilePart:
    name: str
    filename: str
    content_type: str
    size: int | None


class TargetClient:
    """httpx.Client for the suite: never follows redirects, caps bodies, records exchanges."""

    def __init__(
        self,
        config: TargetConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        rate_limiter: RateLimiter | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        history: int = HISTORY_SIZE,
        breaker_threshold: int = BREAKER_THRESHOLD,
    ) -> None:
        self.config = config
        self.redactor = config.redactor()
        self.max_body_bytes = max_body_bytes
        self.rate_limiter = rate_limiter or RateLimiter(config.rate_limit)
        self.exchanges: deque[Exchange] = deque(maxlen=history)
        self.requests_sent = 0  # every request sent, answered or not
        self.exchanges_recorded = 0
        self._history_bytes = 0
        self._lock = threading.Lock()
        self._key_names = {value: name for name, value in config.keys.items()}
        self._deadline = _ExchangeDeadline()
        self._breaker = _CircuitBreaker(
            breaker_threshold, max(BREAKER_PROBE_MIN_S, 2.0 * config.timeout)
        )
        # follow_redirects=False: a redirect must never carry the key to another host;
        # a 3xx is itself the evidence.
        self._http = httpx.Client(
            base_url=config.base_url,
            timeout=config.timeout,
            follow_redirects=False,
            transport=transport,
            headers={"User-Agent": USER_AGENT},
        )
        self.bounds_whole_exchange = _bound_every_exchange(self._http, self._deadline)

    def __enter__(self) -> TargetClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def exchanges_since(self, recorded: int) -> list[Exchange]:
        """The exchanges recorded after ``exchanges_recorded`` read ``recorded`` (as many as
        the history still holds)."""
        with self._lock:
            count = self.exchanges_recorded - recorded
            items = list(self.exchanges)
        return items[-count:] if count > 0 else []

    def recent(self, n: int | None = None) -> list[Exchange]:
        """A snapshot of the last `n` exchanges (all recorded ones when None), oldest first."""
        with self._lock:
            items = list(self.exchanges)
        return items if n is None else items[-n:] if n > 0 else []

    def request(
        self,
        method: str,
        path: str,
        *,
        key: str | None = "full",
        raw_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = NO_JSON,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        content: bytes | str | None = None,
    ) -> Exchange:
        """Send one request and record it.

        `key` names a [keys] entry sent as X-Api-Key (None: no key); `raw_key`, when
        given, is sent as the exact X-Api-Key value instead (for auth tests).
        Raises KeyNotConfigured when `key` is absent from the target config, and
        TargetTimeout / TargetUnreachable when no response arrives.
        """
        method = method.upper()
        send_headers = dict(headers or {})
        if (key is not None or raw_key is not None) and any(
            h.lower() == KEY_HEADER.lower() for h in send_headers
        ):
            raise ValueError(f"{KEY_HEADER} given in headers: pass key=None to send it that way")
        key_value = raw_key if raw_key is not None else self._key_value(key)
        if key_value is not None:
            send_headers[KEY_HEADER] = key_value
        if json is not NO_JSON:
            if content is not None or data is not None or files is not None:
                raise ValueError("json cannot be combined with content, data or files")
            # Encoded here rather than by httpx so that json=None sends `null`.
            content = jsonlib.dumps(json, ensure_ascii=False, separators=(",", ":"))
            if not any(h.lower() == "content-type" for h in send_headers):
                send_headers["Content-Type"] = "application/json"

        request = self._http.build_request(
            method,
            path,
            headers=send_headers,
            params=params,
            content=content,
            data=data,
            files=files,
        )
        url = str(request.url)
        parts = _file_parts(files) if files else []
        body = None if parts else request.read()

        waits: list[float] = []
        while True:
            response, raw, truncated, elapsed = self._send_once(request, method, url)
            if response.status_code != 429 or len(waits) >= RATE_LIMIT_RETRIES:
                break
            wait = _retry_after_s(response.headers.get("retry-after"), time.time())
            if wait > RETRY_AFTER_MAX_WAIT_S:
                break
            waits.append(wait)
            time.sleep(wait)  # then the next try waits for its rate-limit slot too

        text = self.redactor.text(raw.decode(_charset(response), errors="replace"))
        exchange = Exchange(
            method=method,
            url=self.redactor.text(url),
            request_headers=self.redactor.headers(request.headers),
            request_body=self._request_preview(body, data, parts),
            status_code=response.status_code,
            response_headers=self.redactor.headers(response.headers),
            response_text=_cut(text, RESPONSE_PREVIEW_CHARS),
            elapsed_s=elapsed,
            truncated=truncated,
            key_name=self._sent_key_name(key_value),
            response_bytes=len(raw),
            retry_waits=tuple(waits),
            text=text,
            curl_command=self._curl(
                method, url, send_headers, json is not NO_JSON, body, data, parts
            ),
        )
        self._record(exchange)
        return exchange

    def _send_once(
        self, request: httpx.Request, method: str, url: str
    ) -> tuple[httpx.Response, bytes, bool, float]:
        """One try: (response, body read, cut at max_body_bytes?, seconds taken)."""
        refusal = self._breaker.refusal()
        if refusal is not None:
            raise TargetNotAnswering(self.redactor.text(f"{method} {url}: not sent: {refusal}"))
        self.rate_limiter.acquire()
        with self._lock:
            self.requests_sent += 1
        started = time.perf_counter()
        self._deadline.start(self.config.timeout)
        try:
            response, raw, truncated = self._exchange(request, method, url, started)
        finally:
            self._deadline.stop()
        self._breaker.answered()
        return response, raw, truncated, time.perf_counter() - started

    def _exchange(
        self, request: httpx.Request, method: str, url: str, started: float
    ) -> tuple[httpx.Response, bytes, bool]:
        try:
            response = self._http.send(request, stream=True, follow_redirects=False)
        except httpx.TimeoutException as exc:
            raise self._no_answer(TargetTimeout, method, url, "timed out", exc) from None
        except httpx.ConnectError as exc:
            raise self._no_answer(TargetUnreachable, method, url, "no response", exc) from None
        except httpx.RequestError as exc:
            self._breaker.answered()  # a reset or garbage: something is there
            raise self._unreachable(TargetUnreachable, method, url, "no response", exc) from None
        try:
            raw, truncated = self._read_capped(response, started)
        except _BodyBroken as broken:
            status, size, error = response.status_code, broken.size, broken.error
            if isinstance(error, httpx.TimeoutException):
                what = (
                    f"timed out: answered {status}, but body not complete after "
                    f"{self.config.timeout}s ({size} bytes read)"
                )
                raise self._no_answer(TargetTimeout, method, url, what, error) from None
            what = f"answered {status}, then the body broke off after {size} bytes"
            if isinstance(error, httpx.DecodingError):
                what = f"answered {status}, but its body could not be decoded past byte {size}"
            self._breaker.answered()
            raise self._unreachable(TargetUnreachable, method, url, what, error) from None
        finally:
            response.close()
        return response, raw, truncated

    def _record(self, exchange: Exchange) -> None:
        with self._lock:
            if len(self.exchanges) == self.exchanges.maxlen and self.exchanges:
                self._history_bytes -= self.exchanges[0].response_bytes  # append drops it
            self.exchanges.append(exchange)
            self._history_bytes += exchange.response_bytes
            while self._history_bytes > HISTORY_MAX_BYTES and len(self.exchanges) > 1:
                self._history_bytes -= self.exchanges.popleft().response_bytes
            self.exchanges_recorded += 1

    def _key_value(self, name: str | None) -> str | None:
        if name is None:
            return None
        value = self.config.key(name)  # ValueError for a name that is no [keys] entry
        if value is None:
            raise KeyNotConfigured(self.config.missing_reason("keys", name))
        return value

    def _sent_key_name(self, key_value: str | None) -> str | None:
        if key_value is None:
            return None
        # Longest first, so that a key containing another is named for itself; then the key
        # an auth test split, cut or wrapped (the value holds pieces of it).
        by_length = sorted(self._key_names, key=len, reverse=True)
        for value in by_length:
            if value in key_value:
                return self._key_names[value]
        pieces = [key_value[start:end] for start, end in self.redactor.spans(key_value)]
        for value in by_length:
            if any(piece in value for piece in pieces):
                return self._key_names[value]
        return None

    def _read_capped(self, response: httpx.Response, started: float) -> tuple[bytes, bool]:
        """Read at most max_body_bytes of the (decoded) body; the rest is never read.

        Raises _BodyBroken when the body times out or the connection breaks mid-body."""
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in _decoded_body(response):
                room = self.max_body_bytes - size
                if len(chunk) > room:
                    chunks.append(chunk[:room])
                    return b"".join(chunks), True
                chunks.append(chunk)
                size += len(chunk)
                # The exchange deadline bounds each read; this holds even for a transport
                # without it (a caller's own).
                if time.perf_counter() - started > self.config.timeout:
                    raise httpx.ReadTimeout(
                        f"body not complete after {self.config.timeout}s",
                        request=response.request,
                    )
        except httpx.RequestError as error:
            raise _BodyBroken(size, error) from None
        return b"".join(chunks), False

    def _no_answer(
        self,
        kind: type[TargetUnreachable],
        method: str,
        url: str,
        what: str,
        exc: httpx.RequestError,
    ) -> TargetUnreachable:
        """A request that got no answer: a timeout or a refused connection, which count
        towards the circuit breaker."""
        error = self._unreachable(kind, method, url, what, exc)
        self._breaker.no_answer(str(error))
        return error

    def _unreachable(
        self,
        kind: type[TargetUnreachable],
        method: str,
        url: str,
        what: str,
        exc: httpx.RequestError,
    ) -> TargetUnreachable:
        detail = " ".join(str(exc).split()) or "no detail"
        message = f"{method} {url}: {what} ({type(exc).__name__}: {detail})"
        if kind is TargetTimeout:
            message += f"; timeout is {self.config.timeout}s"
        return kind(self.redactor.text(message))

    def _request_preview(
        self, body: bytes | None, data: Mapping[str, Any] | None, parts: list[_FilePart]
    ) -> str:
        if parts:
            fields = "; ".join(f"{name}={value!r}" for name, value in _form_fields(data))
            files = "; ".join(
                f"{p.name}=<file {p.filename!r}, {p.content_type}, "
                f"{'?' if p.size is None else p.size} bytes>"
                for p in parts
            )
            summary = "multipart/form-data: " + "; ".join(s for s in (fields, files) if s)
            return _cut(self.redactor.text(summary), REQUEST_PREVIEW_CHARS)
        if not body:
            return ""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return f"<{len(body)} bytes, not UTF-8 text>"
        # Redact before cutting, so the cut cannot leave half a key behind.
        return _cut(self.redactor.text(text), REQUEST_PREVIEW_CHARS)

    def _curl(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        is_json: bool,
        body: bytes | None,
        data: Mapping[str, Any] | None,
        parts: list[_FilePart],
    ) -> str:
        words = ["curl", "-i"]
        has_body = bool(body) or bool(parts)
        if method == "HEAD":
            words.append("--head")
        elif not (method == "GET" and not has_body) and not (method == "POST" and has_body):
            words += ["-X", shlex.quote(method)]
        words.append(self._shell_word(url))
        for name, value in headers.items():
            if parts and name.lower() == "content-type":
                continue  # curl -F writes its own, with its own boundary
            # `-H "Name;"` is curl's way to send a header with an empty value.
            words += ["-H", self._shell_word(f"{name}: {value}" if value else f"{name};")]
        note = ""
        if parts:
            for name, value in _form_fields(data):
                flag = "--form-string" if value[:1] in ("@", "<") or ";" in value else "-F"
                words += [flag, self._shell_word(f"{name}={value}")]
            for p in parts:
                words += [
                    "-F",
                    self._shell_word(
                        f"{p.name}=@{_curl_filename(p.filename)};type={p.content_type}"
                    ),
                ]
        elif body:
            text = _utf8_or_none(body)
            if text is None or "\0" in text or len(text) > CURL_BODY_CHARS:
                words += ["--data-binary", "@request-body.bin"]
                note = (
                    f"  # request body ({len(body)} bytes) not shown: save it as request-body.bin"
                )
            else:
                words += ["-d" if is_json else "--data-raw", self._shell_word(text)]
        return " ".join(words) + note

    def _shell_word(self, s: str) -> str:
        """`s` quoted for the shell, every key in it written as "$TGO_API_KEY" and every piece
        of one (an auth test's split or cut key) as "${TGO_API_KEY:offset:length}" (bash, zsh).
        Anything else that holds a key (an encoded form, say) is masked."""
        parts: list[tuple[bool, str]] = []  # (a variable expression?, text)
        last = 0
        for start, end in self.redactor.spans(s):
            parts.append((False, self.redactor.text(s[last:start])))
            follower = s[end : end + 1]
            expression = self._key_expression(s[start:end], follower)
            if expression is None:
                parts.append((False, self.redactor.text(s[start:end])))
            else:
                parts.append((True, expression))
            last = end
        parts.append((False, self.redactor.text(s[last:])))
        if not any(is_expression for is_expression, _ in parts):
            return shlex.quote("".join(text for _, text in parts))
        literal = "".join(text for is_expression, text in parts if not is_expression)
        if not re.search(r'[$`"\\!]', literal):
            return '"' + "".join(text for _, text in parts) + '"'
        # Characters special inside double quotes: single-quote the literal parts.
        return "".join(
            f'"{text}"' if is_expression else shlex.quote(text)
            for is_expression, text in parts
            if text
        )

    def _key_expression(self, text: str, follower: str) -> str | None:
        """The shell expression for `text` when it is a configured key or a piece of one."""
        if text in self._key_names:
            braced = follower.isalnum() or follower == "_"
            return f"${{{CURL_KEY_VARIABLE}}}" if braced else f"${CURL_KEY_VARIABLE}"
        for key in sorted(self._key_names, key=len, reverse=True):
            offset = key.find(text)
            if offset >= 0:
                return f"${{{CURL_KEY_VARIABLE}:{offset}:{len(text)}}}"
        return None


def _decoded_body(response: httpx.Response) -> Iterator[bytes]:
    """The body, decoded, in pieces of at most DECODED_PIECE bytes for gzip and deflate.

    httpx inflates each network read whole: 64 KiB of a gzip bomb become ~64 MiB at once.
    Inflating with zlib's max_length keeps every piece small, whatever the ratio. Other
    encodings (br, zstd, stacked ones) are left to httpx."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("gzip", "x-gzip", "deflate") or response.is_stream_consumed:
        yield from response.iter_bytes()
        return
    inflater = zlib.decompressobj(31 if encoding != "deflate" else 15)
    first = True
    for raw in response.iter_raw():
        try:
            piece = inflater.decompress(raw, DECODED_PIECE)
        except zlib.error as error:
            if not (first and encoding == "deflate"):
                raise httpx.DecodingError(str(error), request=response.request) from None
            # "deflate" sent as a raw deflate stream, without the zlib wrapper.
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                piece = inflater.decompress(raw, DECODED_PIECE)
            except zlib.error as raw_error:
                raise httpx.DecodingError(str(raw_error), request=response.request) from None
        first = False
        yield piece
        while inflater.unconsumed_tail:
            yield inflater.decompress(inflater.unconsumed_tail, DECODED_PIECE)


class _BodyBroken(Exception):
    """The response's head arrived but its body did not: a timeout or a broken connection."""

    def __init__(self, size: int, error: httpx.RequestError) -> None:
        super().__init__(str(error))
        self.size = size
        self.error = error


def _retry_after_s(value: str | None, now: float) -> float:
    """Seconds a 429's Retry-After asks to wait: delay-seconds or an HTTP-date (RFC 9110)."""
    if value is None:
        return RETRY_AFTER_DEFAULT_S
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else RETRY_AFTER_DEFAULT_S
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return RETRY_AFTER_DEFAULT_S
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


class _CircuitBreaker:
    """Stops sending to a target that has stopped answering.

    After `threshold` requests in a row got no answer (timed out, or the connection was
    refused) the breaker opens: requests fail at once with TargetNotAnswering, except one probe
    every `probe_interval` seconds. Anything else closes it again: any answer, whatever its
    status, and also a reset or a malformed answer: something is there, answering badly, and
    each such answer is evidence against the request that got it.
    """

    def __init__(self, threshold: int, probe_interval: float) -> None:
        self.threshold = threshold
        self.probe_interval = probe_interval
        self._lock = threading.Lock()
        self._failures = 0
        self._since = 0.0  # time.time() of the first request of the run of failures
        self._last = ""
        self._next_probe = 0.0  # time.monotonic()

    def refusal(self) -> str | None:
        """None when this request may be sent; otherwise why not."""
        with self._lock:
            if self.threshold <= 0 or self._failures < self.threshold:
                return None
            now = time.monotonic()
            if now >= self._next_probe:
                self._next_probe = now + self.probe_interval  # this one probes; others wait
                return None
            since = time.strftime("%H:%M:%S", time.localtime(self._since))
            return (
                f"the target has not answered since {since} ({self._failures} requests in a "
                f"row got no answer; the last: {_cut(self._last, 200)}); next try in "
                f"{math.ceil(self._next_probe - now)}s"
            )

    def no_answer(self, message: str) -> None:
        with self._lock:
            if self._failures == 0:
                self._since = time.time()
            self._failures += 1
            self._last = message
            if self._failures >= self.threshold:
                self._next_probe = time.monotonic() + self.probe_interval

    def answered(self) -> None:
        with self._lock:
            self._failures = 0


class _ExchangeDeadline(threading.local):
    """When the current thread's exchange must be over (time.monotonic()), or None."""

    at: float | None = None
    limit: float = 0.0

    def start(self, seconds: float) -> None:
        self.at, self.limit = time.monotonic() + seconds, seconds

    def stop(self) -> None:
        self.at = None

    def bound(self, timeout: float | None, error: type[Exception]) -> float | None:
        """`timeout` shortened to what is left of the exchange; `error` when nothing is."""
        if self.at is None:
            return timeout
        left = self.at - time.monotonic()
        if left <= 0:
            raise error(f"no complete response within {self.limit}s")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read and write ends by the exchange deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: _ExchangeDeadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.bound(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.bound(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = self._deadline.bound(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._stream.start_tls(ssl_context, server_hostname, bounded), self._deadline
        )

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend, deadline: _ExchangeDeadline) -> None:
        self._backend = backend
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = self._deadline.bound(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, bounded, local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = self._deadline.bound(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_unix_socket(path, bounded, socket_options)
        return _DeadlineStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _bound_every_exchange(http: httpx.Client, deadline: _ExchangeDeadline) -> bool:
    """Put the exchange deadline under every connection pool `http` made; False if none.

    httpx reads and writes with a per-operation timeout, so a server that sends one byte
    every few seconds would hold a request for ever. httpx offers no public way to choose
    httpcore's network backend, so this wraps the one of each pool it made (the direct one
    and any for proxies from the environment): httpx.Client._transport/_mounts,
    HTTPTransport._pool, httpcore's ConnectionPool._network_backend (httpx 0.28, httpcore 1).
    tests/hostile proves it still holds; a transport the caller gives is left as it is.
    """
    wrapped = False
    transports = [getattr(http, "_transport", None), *getattr(http, "_mounts", {}).values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend) and not isinstance(
            backend, _DeadlineBackend
        ):
            pool._network_backend = _DeadlineBackend(backend, deadline)  # type: ignore[union-attr]
            wrapped = True
    return wrapped


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters not shown]"


def _charset(response: httpx.Response) -> str:
    name = response.charset_encoding or "utf-8"
    try:
        codecs.lookup(name)
    except LookupError:
        return "utf-8"
    return name


def _utf8_or_none(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _curl_filename(filename: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9._-]+", filename):
        return filename
    escaped = filename.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _form_fields(data: Mapping[str, Any] | None) -> Iterable[tuple[str, str]]:
    for name, value in (data or {}).items():
        for item in value if isinstance(value, list | tuple) else [value]:
            text = item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
            yield name, "" if item is None else text


def _file_parts(files: Mapping[str, Any] | Sequence[tuple[str, Any]]) -> list[_FilePart]:
    """What httpx will send for `files`, described without reading the files."""
    items = files.items() if isinstance(files, Mapping) else files
    parts: list[_FilePart] = []
    for name, value in items:
        if isinstance(value, tuple):
            filename, file_content = value[0], value[1]
            content_type = value[2] if len(value) > 2 else None
        else:
            # httpx's own defaults for a bare file: its name, else "upload".
            file_content = value
            filename = Path(str(getattr(value, "name", "upload"))).name
            content_type = None
        filename = filename or "upload"
        if content_type is None:
            content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        parts.append(_FilePart(name, filename, content_type, _size(file_content)))
    return parts


def _size(file_content: Any) -> int | None:
    if isinstance(file_content, bytes):
        return len(file_content)
    if isinstance(file_content, str):
        return len(file_content.encode())
    try:
        position = file_content.tell()
        end = file_content.seek(0, 2)
        file_content.seek(position)
    except (AttributeError, OSError, ValueError):
        return None
    return int(end - position)
