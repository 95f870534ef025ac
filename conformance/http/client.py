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

import json as jsonlib
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any, Final

import httpx

from conformance.config import TargetConfig
from conformance.config.connection import ssl_context
from conformance.config.model import OTHER_ACCOUNT
from conformance.http.bodies import BodyStore
from conformance.http.body import DEFAULT_MAX_BODY_BYTES, BodyBroken, charset_of, read_capped
from conformance.http.curl import CurlWriter
from conformance.http.deadline import ExchangeDeadline, bound_every_exchange
from conformance.http.evidence import (
    RESPONSE_PREVIEW_CHARS,
    Exchange,
    SentRequest,
    Unanswered,
    body_fields,
    request_preview,
    shown_key,
)
from conformance.http.har import HarRecorder
from conformance.http.history import HISTORY_SIZE, ExchangeHistory
from conformance.http.multipart import file_parts
from conformance.http.ratelimit import RateLimiter
from conformance.http.resilience import (
    BREAKER_PROBE_MIN_S,
    BREAKER_THRESHOLD,
    RATE_LIMIT_RETRIES,
    RETRY_AFTER_MAX_WAIT_S,
    CircuitBreaker,
    cut,
    retry_after_s,
)
from conformance.rules.values import Rules, load_rules

__all__ = [
    "NO_JSON",
    "OTHER_ACCOUNT_KEY",
    "BrokenAnswer",
    "KeyNotConfigured",
    "TargetClient",
    "TargetNotAnswering",
    "TargetTimeout",
    "TargetUnreachable",
]

USER_AGENT: Final = "tgo-conformance"
# key= name of the second account's key ([other_account].key), beside the [keys] names.
OTHER_ACCOUNT_KEY: Final = OTHER_ACCOUNT
# Every request of the docs' examples says it wants JSON; so does every request of the suite.
ACCEPT: Final = "application/json"


class _NoJSON:
    def __repr__(self) -> str:
        return "NO_JSON"


# Sentinel for "no JSON body", so that json=None can send the JSON literal null.
NO_JSON: Final = _NoJSON()


class TargetUnreachable(Exception):
    """The request got no HTTP response (connection refused or reset, protocol error, ...).

    `unanswered` is the request as evidence (set by the client before it raises): a test cut
    off by it observed nothing, and the report shows the request that got no answer."""

    unanswered: Unanswered | None = None


class TargetTimeout(TargetUnreachable):
    """The target did not answer within the configured timeout."""


class TargetNotAnswering(TargetUnreachable):
    """Not sent: the target stopped answering earlier requests (the circuit breaker is open)."""


class BrokenAnswer(Exception):
    """The target answered with a status line, then its body broke off or could not be
    decoded: an answer, and a broken one, which counts against the request that got it."""


class KeyNotConfigured(LookupError):
    """The request asked for a key name the target config does not give; str() says which."""


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
        bodies: BodyStore | None = None,
        har: HarRecorder | None = None,
        rules: Rules | None = None,
    ) -> None:
        self.config = config
        # The contract the run holds the target to (--contract): its operations and key header.
        self.rules = rules or load_rules()
        self._operations = {
            (op.method, op.path): op.operation_id for op in self.rules.operations.values()
        }
        self._sent: list[SentRequest] = []  # what was sent since take_sent() last emptied it
        self.redactor = config.redactor()
        self.har = har
        self.max_body_bytes = max_body_bytes
        self.rate_limiter = rate_limiter or RateLimiter(config.rate_limit)
        self.history = ExchangeHistory(history)
        self.requests_sent = 0  # every request sent, answered or not
        self._lock = threading.Lock()
        other_key = config.other_account.key if config.other_account is not None else None
        self._key_names = {value: name for name, value in config.keys.items()}
        if other_key is not None:
            self._key_names[other_key] = OTHER_ACCOUNT_KEY
        self._curl = CurlWriter(self.redactor, config.keys, bodies, other_key)
        self.key_header = self.rules.key_header
        self._deadline = ExchangeDeadline()
        self._breaker = CircuitBreaker(
            breaker_threshold, max(BREAKER_PROBE_MIN_S, 2.0 * config.timeout)
        )
        # follow_redirects=False: a redirect must never carry the key to another host;
        # a 3xx is itself the evidence. verify and proxy: [tls] and proxy of the config;
        # without them httpx reads SSL_CERT_FILE and HTTPS_PROXY / NO_PROXY itself.
        self._http = httpx.Client(
            base_url=config.base_url,
            timeout=config.timeout,
            follow_redirects=False,
            transport=transport,
            headers={"User-Agent": USER_AGENT},
            verify=ssl_context(config.tls),
            proxy=config.proxy,
        )
        self.bounds_whole_exchange = bound_every_exchange(self._http, self._deadline)

    def __enter__(self) -> TargetClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool (and the HAR part this client writes)."""
        self._http.close()
        if self.har is not None:
            self.har.close()

    @property
    def exchanges(self) -> deque[Exchange]:
        return self.history.items

    @property
    def exchanges_recorded(self) -> int:
        return self.history.recorded

    def exchanges_since(self, recorded: int) -> list[Exchange]:
        """The exchanges recorded after ``exchanges_recorded`` read ``recorded`` (as many as
        the history still holds)."""
        return self.history.since(recorded)

    def recent(self, n: int | None = None) -> list[Exchange]:
        """A snapshot of the last `n` exchanges (all recorded ones when None), oldest first."""
        return self.history.recent(n)

    def take_sent(self) -> list[SentRequest]:
        """The requests sent (answered or not) since the last call, as data."""
        with self._lock:
            sent, self._sent = self._sent, []
        return sent

    def call(self, operation_id: str, **kwargs: Any) -> Exchange:
        """Send to the operation the contract names `operation_id` (its method and path);
        the other arguments are those of `request`."""
        op = self.rules.operations[operation_id]
        return self.request(op.method, op.path, operation=operation_id, **kwargs)

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
        operation: str | None = None,
    ) -> Exchange:
        """Send one request and record it.

        `key` names a [keys] entry sent as X-Api-Key ("other_account": the key of
        [other_account]; None: no key); `raw_key`, when
        given, is sent as the exact X-Api-Key value instead (for auth tests).
        `operation` names the contract's operation the request is for (`call` gives it; a
        list's next page gives its list's); without it, the operation whose method and path
        the request has, if any.
        Raises KeyNotConfigured when `key` is absent from the target config, and
        TargetTimeout / TargetUnreachable when no response arrives, BrokenAnswer when one
        began and broke off.
        """
        method = method.upper()
        send_headers = dict(headers or {})
        if (key is not None or raw_key is not None) and any(
            h.lower() == self.key_header.lower() for h in send_headers
        ):
            raise ValueError(
                f"{self.key_header} given in headers: pass key=None to send it that way"
            )
        if not any(h.lower() == "accept" for h in send_headers):
            send_headers["Accept"] = ACCEPT
        key_value = raw_key if raw_key is not None else self._key_value(key)
        if key_value is not None:
            send_headers[self.key_header] = key_value
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
        parts = file_parts(files) if files else []
        body = None if parts else request.read()
        shown_url = self.redactor.text(url)
        shown_headers = self.redactor.headers(request.headers)
        shown_body = request_preview(self.redactor, body, data, parts)
        operation = operation or self._operations.get((method, path))
        fields = body_fields(json if json is not NO_JSON else None, data, self.redactor)
        sent_key = self._sent_key_name(key_value)
        key_shown = shown_key(shown_headers, self.key_header)
        curl = self._curl.write(
            method,
            url,
            send_headers,
            is_json=json is not NO_JSON,
            body=body,
            data=data,
            parts=parts,
            content_type=request.headers.get("content-type"),
        )

        waits: list[float] = []
        sent_at = time.time()
        while True:
            try:
                response, raw, truncated, elapsed = self._send_once(request, method, url)
            except TargetUnreachable as error:
                error.unanswered = Unanswered(
                    method=method,
                    url=shown_url,
                    headers=shown_headers,
                    body=shown_body,
                    curl_command=curl.text,
                    error=str(error),
                    sent=not isinstance(error, TargetNotAnswering),
                    sent_at=sent_at,
                    har_id=self.har.next_id() if self.har is not None else "",
                    operation=operation,
                    request_fields=fields,
                    key_name=sent_key,
                    key_shown=key_shown,
                    uploads=curl.uploads,
                    key_variables=curl.key_variables,
                )
                if error.unanswered.sent:
                    self._record_sent(error.unanswered.sent_request())
                if self.har is not None:
                    self.har.record_unanswered(error.unanswered)
                raise
            if response.status_code != 429 or len(waits) >= RATE_LIMIT_RETRIES:
                break
            wait = retry_after_s(response.headers.get("retry-after"), time.time())
            if wait > RETRY_AFTER_MAX_WAIT_S:
                break
            waits.append(wait)
            time.sleep(wait)  # then the next try waits for its rate-limit slot too

        text = self.redactor.text(raw.decode(charset_of(response), errors="replace"))
        exchange = Exchange(
            method=method,
            url=shown_url,
            request_headers=shown_headers,
            request_body=shown_body,
            status_code=response.status_code,
            response_headers=self.redactor.headers(response.headers),
            response_text=cut(text, RESPONSE_PREVIEW_CHARS),
            elapsed_s=elapsed,
            truncated=truncated,
            key_name=sent_key,
            response_bytes=len(raw),
            retry_waits=tuple(waits),
            text=text,
            curl_command=curl.text,
            sent_at=sent_at,
            har_id=self.har.next_id() if self.har is not None else "",
            operation=operation,
            request_fields=fields,
            key_shown=key_shown,
            uploads=curl.uploads,
            key_variables=curl.key_variables,
        )
        self.history.add(exchange)
        self._record_sent(exchange.sent())
        if self.har is not None:
            self.har.record(exchange)
        return exchange

    def _record_sent(self, sent: SentRequest) -> None:
        with self._lock:
            self._sent.append(sent)

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
            raw, truncated = read_capped(
                response, self.max_body_bytes, started, self.config.timeout
            )
        except BodyBroken as broken:
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
            raise BrokenAnswer(self._describe(method, url, what, error)) from None
        finally:
            response.close()
        return response, raw, truncated

    def _key_value(self, name: str | None) -> str | None:
        if name is None:
            return None
        if name == OTHER_ACCOUNT_KEY:
            other = self.config.other_account
            if other is None:
                raise KeyNotConfigured(self.config.missing_reason("other_account", "key"))
            return other.key
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
        message = self._describe(method, url, what, exc)
        if kind is TargetTimeout:
            message += f"; timeout is {self.config.timeout}s"
        return kind(message)

    def _describe(self, method: str, url: str, what: str, exc: Exception) -> str:
        detail = " ".join(str(exc).split()) or "no detail"
        return self.redactor.text(f"{method} {url}: {what} ({type(exc).__name__}: {detail})")
