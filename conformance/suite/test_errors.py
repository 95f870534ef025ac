"""Error payloads: the envelope on every kind of error, and unreadable bodies refused cleanly.

The envelope (ERR-001 to ERR-003) is also checked on every error response any other test sees.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.checks.errors import body_or_query, expect_refusal
from conformance.config import TargetConfig
from conformance.generation.payloads import text_body
from conformance.http.evidence import Exchange
from conformance.plugin import rules_of
from conformance.rules.values import Rules
from conformance.verify import Verifier

ENVELOPE = ("ERR-001", "ERR-002", "ERR-003", "ERR-015")


def _provocations(config: TargetConfig) -> dict[str, dict[str, Any]]:
    return {
        "401 without key": {"operation_id": "listMessages", "key": None},
        "401 unknown key": {
            "operation_id": "getUsage",
            "key": None,
            "raw_key": "trk_" + "0" * 32,
        },
        "403 missing scope": {"operation_id": "listMessages", "key": "usage_read"},
        "422 invalid phone": {
            "operation_id": "sendMessage",
            "json": text_body(config, to="12345"),
        },
        "422 missing phone": {"operation_id": "registerSenderNumber", "json": {}},
        "4xx invalid query": {"operation_id": "lookupContact", "params": {"phone": "abc"}},
    }


@pytest.mark.requirement(*ENVELOPE)
@pytest.mark.parametrize(
    "kind",
    [
        "401 without key",
        "401 unknown key",
        "403 missing scope",
        "422 invalid phone",
        "422 missing phone",
        "4xx invalid query",
    ],
)
def test_every_kind_of_error_has_the_envelope(
    kind: str,
    target: Any,
    tgo_config: TargetConfig,
    need: Callable[..., Any],
) -> None:
    request = dict(_provocations(tgo_config)[kind])
    if request.get("key") == "usage_read":
        need("key", "usage_read")
    response: Exchange = target.call(**request)
    if response.status_code < 400:
        # Not refused: the requirement the request breaks says so in its own test; there is no
        # error here to hold to the envelope.
        pytest.skip(f"{kind}: answered {response.status_code}, not an error")
    # The plugin holds every error a test received to the envelope (check_error_envelope),
    # so this one's checks are recorded for this test once, when it ends.


MALFORMED = {
    "truncated JSON": (b'{"to_phone": "+201010000000", "type": "te', "application/json"),
    "not JSON at all": (b"to_phone=+201010000000&type=text", "application/json"),
    "binary garbage": (bytes(range(256)) * 4, "application/json"),
    "JSON array": (b"[1, 2, 3]", "application/json"),
    "broken multipart": (
        b'--XYZ\r\nContent-Disposition: form-data; name="type"\r\n\r\nimage',
        "multipart/form-data; boundary=XYZ",
    ),
    "multipart without boundary": (b"type=image", "multipart/form-data"),
}


JSON_ONLY = ("truncated JSON", "not JSON at all", "binary garbage", "JSON array")
# A multipart Content-Type without a boundary may also be refused as unsupported (ERR-007).
NO_BOUNDARY = "multipart without boundary"
CASES = [("sendMessage", kind) for kind in MALFORMED] + [
    ("registerSenderNumber", kind) for kind in JSON_ONLY
]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "unreadable" in metafunc.fixturenames:
        # Named by the last segment of the operation's path in the run's contract, as before.
        operations = rules_of(metafunc.config).operations
        metafunc.parametrize(
            "unreadable",
            CASES,
            ids=[f"{operations[op].path.rsplit('/', 1)[-1]}-{kind}" for op, kind in CASES],
        )


@pytest.mark.requirement("ERR-007", *ENVELOPE)
def test_unreadable_body_is_refused_with_400_or_422(
    unreadable: tuple[str, str], target: Any, tgo_rules: Rules, verify: Verifier
) -> None:
    operation, kind = unreadable
    path = tgo_rules.operations[operation].path
    content, content_type = MALFORMED[kind]
    response = target.call(operation, content=content, headers={"Content-Type": content_type})
    refusal = body_or_query(tgo_rules)
    if kind == NO_BOUNDARY:
        refusal = refusal.widened(415)
    expect_refusal(verify, "ERR-007", response, refusal, what=f"POST {path} with {kind}")
