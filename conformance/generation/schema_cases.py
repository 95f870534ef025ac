"""Schema-driven testing with schemathesis: cases from the contract, sent through our client.

Cases go through TargetClient rather than schemathesis' own transport so the rate limit, the
timeout, the body cap, redaction and evidence apply to them like to every other request. What a
failure of a case means is checks/generated.py's business.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conformance.config import TargetConfig
from conformance.generation.payloads import fictional_phone
from conformance.http.client import TargetClient
from conformance.http.evidence import Exchange
from conformance.rules.contract import load_spec_from, spec_path
from conformance.rules.values import Rules

# Checks that judge a response alone. Checks that re-send requests themselves (ignored_auth,
# use_after_free, ensure_resource_availability) would bypass the rate limit and the
# write rules; what they cover has scenario tests of its own.
RESPONSE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    missing_required_header,
]
# Generated headers the suite does not send as generated: it sends the headers the docs send
# (Accept: application/json, set by the client) and its own User-Agent.
_CLIENT_HEADERS = frozenset({"accept", "user-agent"})


def checks_for(mode: GenerationMode) -> list[Any]:
    """The response checks that apply to cases of one generation mode."""
    # A positive case rewritten by make_safe is no longer the one schemathesis generated, and
    # it would re-judge it; the mode the test asked for is what the case is.
    skip = negative_data_rejection if mode == GenerationMode.POSITIVE else positive_data_acceptance
    return [check for check in RESPONSE_CHECKS if check is not skip]


def load_schema(key: str | None, contract: Any = None) -> Any:
    """The contract as a schemathesis schema whose generated cases carry ``key``."""
    config = schemathesis.Config.from_dict(
        {
            "checks": {
                # Success codes are undocumented: any 2xx the contract lists is an acceptance.
                "positive_data_acceptance": {"expected-statuses": ["2XX"]},
            },
        }
    )
    spec = load_spec_from(contract or spec_path())
    schema = schemathesis.openapi.from_dict(spec, config=config)
    if key is not None:
        schema.config.update(headers={"X-Api-Key": key})
    return schema


def operation_strategy(schema: Any, rules: Rules, op_id: str, mode: GenerationMode) -> Any:
    op = rules.operations[op_id]
    return schema[op.path][op.method].as_strategy(generation_mode=mode)


def sendable_as_generated(case: Any) -> bool:
    """Whether the wire form says what the case says. A multipart part is text: a null or an
    empty list vanishes, a list becomes repeated parts and true becomes "true", so a case made
    invalid that way can arrive valid. Such cases are not sent."""
    media_type = getattr(case, "media_type", None) or ""
    body = case.body
    if not (media_type.startswith("multipart/") and isinstance(body, dict)):
        return True
    return not any(
        value is None or isinstance(value, list | dict | bool) for value in body.values()
    )


def make_safe(case: Any, op_id: str, config: TargetConfig, rules: Rules) -> None:
    """Point every well-formed phone and sender id of a case at configured numbers.

    Only values that already conform are replaced, so a negative case stays negative; a
    generated number that could belong to a real person is never sent to or registered, and
    a lookup asks about the configured recipient, from the configured sender."""
    active = config.sender("active")
    assert active is not None  # required by the config contract
    if op_id == "lookupContact" and isinstance(case.query, dict):
        if rules.phone.matches(case.query.get("phone")):
            case.query["phone"] = config.recipient("reachable")
        if rules.phone.matches(case.query.get("sender_phone")) and active.phone is not None:
            case.query["sender_phone"] = active.phone
        return
    body = case.body
    if not isinstance(body, dict):
        return
    if op_id == "registerSenderNumber":
        if rules.phone.matches(body.get("phone")):
            body["phone"] = fictional_phone()
        return
    if rules.phone.matches(body.get("to_phone")):
        body["to_phone"] = config.recipient("reachable")
    if rules.phone.matches(body.get("sender_phone")) and active.phone is not None:
        body["sender_phone"] = active.phone
    sender_id = body.get("sender_number_id")
    if isinstance(sender_id, int | str) and not isinstance(sender_id, bool) and active.id:
        body["sender_number_id"] = active.id


def send_case(case: Any, client: TargetClient) -> Exchange:
    """Send a generated case through the suite's client (key as generated, or removed)."""
    kwargs = case.as_transport_kwargs(base_url=client.config.base_url)
    headers = {
        k: str(v)
        for k, v in (kwargs.get("headers") or {}).items()
        if k.lower() not in _CLIENT_HEADERS
    }
    request: dict[str, Any] = {"headers": headers, "params": kwargs.get("params")}
    for name in ("json", "data", "content"):
        if name in kwargs and kwargs[name] is not None:
            request[name] = kwargs[name]
    if "data" in request and not isinstance(request["data"], Mapping):
        request["content"] = request.pop("data")
    if kwargs.get("files"):
        fields, files = _split_multipart(kwargs["files"])
        if fields:
            request["data"] = {**dict(request.get("data") or {}), **fields}
        # httpx sends form fields without files as urlencoded; an empty unrelated part keeps
        # the body multipart as generated.
        request["files"] = files or {"tgo-conformance-empty": ("empty.txt", b"", "text/plain")}
    path = kwargs["url"][len(client.config.base_url.rstrip("/")) :] or "/"
    return client.request(kwargs["method"], path, key=None, **request)


def _split_multipart(parts: Any) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """requests-style parts, where a (None, value) part is a plain field, as httpx takes them."""
    fields: dict[str, Any] = {}
    files: list[tuple[str, Any]] = []
    for name, part in parts:
        if isinstance(part, tuple) and part and part[0] is None:
            value = part[1]
            text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
            fields.setdefault(name, [])
            fields[name].append(text)
        else:
            files.append((name, part))
    return {k: v[0] if len(v) == 1 else v for k, v in fields.items()}, files


def as_schemathesis_response(exchange: Exchange) -> Response:
    """Our recorded exchange in the shape schemathesis' checks read."""
    prepared = requests.Request(method=exchange.method, url=exchange.url).prepare()
    return Response(
        status_code=exchange.status_code,
        headers={name: [value] for name, value in exchange.response_headers.items()},
        content=exchange.text.encode("utf-8"),
        request=prepared,
        elapsed=exchange.elapsed_s,
        verify=True,
    )
