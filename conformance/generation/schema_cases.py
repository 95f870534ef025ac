"""Schema-driven testing with schemathesis: cases from the contract, sent through our client.

Cases go through TargetClient rather than schemathesis' own transport so the rate limit, the
timeout, the body cap, redaction and evidence apply to them like to every other request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
import schemathesis
from jsonschema import Draft202012Validator
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.core.failures import Failure
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
from conformance.http.evidence import Exchange
from conformance.rules import contract

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


def checks_for(mode: GenerationMode) -> list[Any]:
    """The response checks that apply to cases of one generation mode."""
    # A positive case rewritten by make_safe is no longer the one schemathesis generated, and
    # it would re-judge it; the mode the test asked for is what the case is.
    skip = negative_data_rejection if mode == GenerationMode.POSITIVE else positive_data_acceptance
    return [check for check in RESPONSE_CHECKS if check is not skip]


# The requirement a failure of an operation's success response speaks against.
MAIN_REQUIREMENT = {
    "registerSenderNumber": "SENDER-002",
    "listSenderNumbers": "SENDER-005",
    "sendMessage": "MSG-001",
    "listMessages": "LOG-001",
    "lookupContact": "RCPT-001",
    "getUsage": "USAGE-001",
}
ERROR_REQUIREMENTS = ("ERR-001", "ERR-002", "ERR-003", "ERR-004", "ERR-005", "ERR-006", "AUTH-001")


def requirements_for(op_id: str) -> tuple[str, ...]:
    """Every requirement a schema-driven test of ``op_id`` may record against."""
    extra = ("PHONE-004",) if op_id == "lookupContact" else ()
    return (MAIN_REQUIREMENT[op_id], *ERROR_REQUIREMENTS, *extra)


def requirement_for_failure(op_id: str, failure: Failure, status: int) -> str:
    """Which catalogue requirement a schemathesis failure is evidence against."""
    checks = set(failure.checks)
    if "missing_required_header" in checks:
        return "AUTH-001"
    if status == 401:
        return "ERR-004"
    if status == 403:
        return "ERR-005"
    if "negative_data_rejection" in checks or (
        "not_a_server_error" in checks and op_id in ("sendMessage", "registerSenderNumber")
    ):
        return (
            "PHONE-004"
            if op_id == "lookupContact"
            else (
                "ERR-006"
                if op_id in ("sendMessage", "registerSenderNumber")
                else MAIN_REQUIREMENT[op_id]
            )
        )
    if status >= 400 and checks & {"content_type_conformance", "response_schema_conformance"}:
        return "ERR-001" if "content_type_conformance" in checks else "ERR-002"
    return MAIN_REQUIREMENT[op_id]


def load_schema(key: str | None) -> Any:
    """The contract as a schemathesis schema whose generated cases carry ``key``."""
    config = schemathesis.Config.from_dict(
        {
            "checks": {
                # Success codes are undocumented: any 2xx the contract lists is an acceptance.
                "positive_data_acceptance": {"expected-statuses": ["2XX"]},
            },
        }
    )
    schema = schemathesis.openapi.from_dict(contract.load_spec(), config=config)
    if key is not None:
        schema.config.update(headers={"X-Api-Key": key})
    return schema


def operation_strategy(schema: Any, op_id: str, mode: GenerationMode) -> Any:
    op = contract.operation(op_id)
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


def violates_contract(case: Any, op_id: str) -> bool:
    """Whether a case generated as negative really breaks the contract. Negating one branch of
    a oneOf can produce a body that satisfies the other branch; such a case is valid and a
    server is right to accept it."""
    op = contract.operation(op_id)
    raw = contract.load_spec()["paths"][op.path][op.method.lower()]
    components = contract.load_spec()["components"]
    if not case.headers or "X-Api-Key" not in case.headers:
        return True
    for parameter in raw.get("parameters", []):
        value = (case.query or {}).get(parameter["name"])
        if value is None:
            if parameter.get("required"):
                return True
            continue
        if not _valid({**parameter["schema"], "components": components}, value):
            return True
    if "requestBody" in raw:
        content = raw["requestBody"]["content"].get(case.media_type or "")
        if content is None:
            return True
        if case.body is NOT_SET or not _valid(
            {**content["schema"], "components": components}, case.body
        ):
            return True
    return False


def _valid(schema: dict[str, Any], value: Any) -> bool:
    return bool(Draft202012Validator(schema).is_valid(value))


def make_safe(case: Any, op_id: str, config: TargetConfig) -> None:
    """Point every well-formed phone and sender id of a writing case at configured numbers.

    Only values that already conform are replaced, so a negative case stays negative; a
    generated number that could belong to a real person is never sent to or registered."""
    body = case.body
    if not isinstance(body, dict):
        return
    if op_id == "registerSenderNumber":
        if _is_e164(body.get("phone")):
            body["phone"] = fictional_phone()
        return
    active = config.sender("active")
    assert active is not None
    if _is_e164(body.get("to_phone")):
        body["to_phone"] = config.recipient("reachable")
    if _is_e164(body.get("sender_phone")) and active.phone is not None:
        body["sender_phone"] = active.phone
    if (
        isinstance(body.get("sender_number_id"), int | str)
        and not isinstance(body.get("sender_number_id"), bool)
        and active.id is not None
    ):
        body["sender_number_id"] = active.id


def _is_e164(value: Any) -> bool:
    return (
        isinstance(value, str)
        and len(value) >= 3
        and value[0] == "+"
        and value[1] in "123456789"
        and value[1:].isascii()
        and value[1:].isdigit()
        and len(value) <= 16
    )


def send_case(case: Any, client: Any) -> Exchange:
    """Send a generated case through the suite's client (key as generated, or removed)."""
    kwargs = case.as_transport_kwargs(base_url=client.config.base_url)
    headers = {k: str(v) for k, v in (kwargs.get("headers") or {}).items()}
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
    return client.request(kwargs["method"], path, key=None, **request)  # type: ignore[no-any-return]


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
