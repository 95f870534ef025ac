"""Bad input never yields a 500, and every error comes in the JSON envelope.

The `mock` fixture's TestClient re-raises any exception that reaches the catch-all handler, so a
test here fails if bad input ever gets past the rules to the last-resort 500.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tgo_mock_client import API, BOUNDARY, PNG, MockClient, encode_multipart

TWELVE_MIB = 12 * 1024 * 1024


def assert_envelope(response: Any, status: int | tuple[int, ...], code: str | None = None) -> None:
    expected = (status,) if isinstance(status, int) else status
    assert response.status_code in expected, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert isinstance(body["message"], str)
    assert isinstance(body["code"], str)
    assert body["code"]
    if code is not None:
        assert body["code"] == code


def post(mock: MockClient, path: str, content: bytes, content_type: str | None) -> Any:
    headers = mock.auth()
    if content_type is not None:
        headers["Content-Type"] = content_type
    return mock.client.post(API + path, content=content, headers=headers)


# --- JSON ---


@pytest.mark.parametrize("path", ["/messages", "/sender-numbers"])
@pytest.mark.parametrize(
    "content",
    [b"{", b"", b"{'a': 1}", b'{"a": }', b"\xff\xfe\x00garbage", b"[" * 100_000, b"nul"],
)
def test_malformed_json_is_400_invalid_json(mock: MockClient, path: str, content: bytes) -> None:
    assert_envelope(post(mock, path, content, "application/json"), 400, "invalid_json")


def test_oversized_integer_is_400_not_500(mock: MockClient) -> None:
    content = b'{"sender_number_id": ' + b"9" * 5000 + b"}"
    assert_envelope(post(mock, "/messages", content, "application/json"), 400, "invalid_json")


@pytest.mark.parametrize("path", ["/messages", "/sender-numbers"])
@pytest.mark.parametrize("content", [b"[]", b'"text"', b"42", b"null", b"true", b"[{}]"])
def test_json_that_is_not_an_object_is_422(mock: MockClient, path: str, content: bytes) -> None:
    assert_envelope(post(mock, path, content, "application/json"), 422, "validation_error")


@pytest.mark.parametrize("path", ["/messages", "/sender-numbers"])
@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/xml", "application/x-www-form-urlencoded", "json", "*/*"],
)
def test_wrong_content_type_is_415(mock: MockClient, path: str, content_type: str | None) -> None:
    response = post(mock, path, b'{"phone": "+201005550000"}', content_type)
    assert_envelope(response, 415, "unsupported_media_type")


def test_json_with_charset_parameter_is_json(mock: MockClient) -> None:
    content = b'{"phone": "+201005550000"}'
    response = post(mock, "/sender-numbers", content, "Application/JSON; charset=utf-8")
    assert response.status_code == 201


def test_nan_and_infinity_are_wrong_types(mock: MockClient) -> None:
    for value in (b"NaN", b"Infinity", b"-Infinity", b"1e400"):
        content = b'{"sender_number_id": ' + value + b', "to_phone": "+201010000000"}'
        response = post(mock, "/messages", content, "application/json")
        assert_envelope(response, 422, "validation_error")


# --- size ---


@pytest.mark.parametrize("path", ["/messages", "/sender-numbers"])
def test_body_over_10_mib_is_413(mock: MockClient, path: str) -> None:
    content = b'{"content": "' + b"a" * TWELVE_MIB + b'"}'
    assert_envelope(post(mock, path, content, "application/json"), 413, "payload_too_large")


def test_streamed_body_over_10_mib_without_length_is_413(mock: MockClient) -> None:
    def chunks() -> Any:
        for _ in range(12):
            yield b"a" * (1024 * 1024)

    headers = {**mock.auth(), "Content-Type": "application/json"}
    response = mock.client.post(API + "/messages", content=chunks(), headers=headers)
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_envelope(response, 413, "payload_too_large")


def test_multipart_over_10_mib_is_413(mock: MockClient) -> None:
    fields = {"sender_phone": "+201001187188", "to_phone": "+201010000000", "type": "image"}
    body, ctype = encode_multipart(fields, {"media": ("big.png", b"\0" * TWELVE_MIB, "image/png")})
    assert_envelope(post(mock, "/messages", body, ctype), 413, "payload_too_large")


def test_media_just_under_the_limit_is_accepted(mock: MockClient) -> None:
    fields = {"sender_phone": "+201001187188", "to_phone": "+201010000000", "type": "image"}
    media = ("big.png", PNG + b"\0" * (9 * 1024 * 1024), "image/png")
    body, ctype = encode_multipart(fields, {"media": media})
    assert post(mock, "/messages", body, ctype).status_code == 201


# --- multipart ---

BROKEN_MULTIPART = {
    "missing boundary": (b"--x\r\n", "multipart/form-data"),
    "part without name": (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; filename="a"\r\n\r\nx\r\n'
        f"--{BOUNDARY}--\r\n".encode(),
        f"multipart/form-data; boundary={BOUNDARY}",
    ),
    "too many fields": (
        encode_multipart({f"f{i}": "x" for i in range(100)}, {})[0],
        f"multipart/form-data; boundary={BOUNDARY}",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN_MULTIPART))
def test_unreadable_multipart_is_400(mock: MockClient, case: str) -> None:
    content, content_type = BROKEN_MULTIPART[case]
    assert_envelope(post(mock, "/messages", content, content_type), 400, "invalid_multipart")


@pytest.mark.parametrize(
    "content,content_type",
    [
        (b"garbage without parts", f"multipart/form-data; boundary={BOUNDARY}"),
        (b"", f"multipart/form-data; boundary={BOUNDARY}"),
        (f"--{BOUNDARY}\r\nContent-Disp".encode(), f"multipart/form-data; boundary={BOUNDARY}"),
        (encode_multipart({"type": "image"}, {})[0], "multipart/form-data; boundary=other"),
        (encode_multipart({"type": "image"}, {})[0], "multipart/form-data; boundary="),
        (b"\x00\xff" * 50, 'multipart/form-data; boundary="\xff"'),
    ],
)
def test_garbled_multipart_is_4xx(mock: MockClient, content: bytes, content_type: str) -> None:
    response = mock.client.post(
        API + "/messages",
        content=content,
        headers=[
            (b"X-Api-Key", mock.seeded.keys.full.encode()),
            (b"Content-Type", content_type.encode("latin-1")),
        ],
    )
    assert_envelope(response, (400, 422))


@pytest.mark.parametrize("missing", ["to_phone", "type", "media", "sender_phone"])
def test_missing_multipart_parts_are_422(mock: MockClient, missing: str) -> None:
    fields = {"sender_phone": "+201001187188", "to_phone": "+201010000000", "type": "image"}
    files = {"media": ("a.png", PNG, "image/png")}
    fields.pop(missing, None)
    files.pop(missing, None)
    body, ctype = encode_multipart(fields, files)
    assert_envelope(post(mock, "/messages", body, ctype), 422)


def test_repeated_multipart_field_is_422(mock: MockClient) -> None:
    body = (
        encode_multipart({"type": "image"}, {})[0].removesuffix(f"--{BOUNDARY}--\r\n".encode())
        + encode_multipart({"type": "voice"}, {})[0]
    )
    ctype = f"multipart/form-data; boundary={BOUNDARY}"
    assert_envelope(post(mock, "/messages", body, ctype), 422, "validation_error")


# --- routing ---


@pytest.mark.parametrize(
    "path", ["/", "/api/v1", "/api/v1/messages/", "/api/v2/messages", "/_control/reset", "/x%00y"]
)
def test_unknown_paths_are_404_in_the_envelope(mock: MockClient, path: str) -> None:
    assert_envelope(mock.client.get(path, headers=mock.auth()), 404, "not_found")
    assert_envelope(mock.client.post(path, headers=mock.auth()), 404, "not_found")


@pytest.mark.parametrize(
    "path,allow",
    [
        ("/api/v1/sender-numbers", "GET, POST"),
        ("/api/v1/messages", "GET, POST"),
        ("/api/v1/contacts/lookup", "GET"),
        ("/api/v1/usage", "GET"),
    ],
)
@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "FOO"])
def test_wrong_methods_are_405_with_allow(
    mock: MockClient, path: str, allow: str, method: str
) -> None:
    response = mock.client.request(method, path, headers=mock.auth())
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    if method != "HEAD":
        assert_envelope(response, 405, "method_not_allowed")


def test_405_comes_before_auth(mock: MockClient) -> None:
    assert mock.client.delete(API + "/usage").status_code == 405


# --- anything at all ---

BODIES = st.one_of(
    st.binary(max_size=300),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
        max_leaves=12,
    ).map(lambda v: repr(v).encode()),
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        f"multipart/form-data; boundary={BOUNDARY}",
        "multipart/form-data",
        "application/octet-stream",
        "",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(["/messages", "/sender-numbers"]), body=BODIES, content_type=CONTENT_TYPES
)
def test_random_bodies_never_cause_a_server_error(
    module_mock: MockClient, path: str, body: bytes, content_type: str
) -> None:
    mock = module_mock
    response = post(mock, path, body, content_type or None)
    assert 400 <= response.status_code < 500
    assert_envelope(response, response.status_code)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)
FIELD_VALUES = JSON_VALUES | st.sampled_from(
    ["+201001187188", "+201010000000", "text", "image", 12, "12"]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.fixed_dictionaries(
        {},
        optional={
            name: FIELD_VALUES
            for name in ("sender_phone", "sender_number_id", "to_phone", "type", "content")
        },
    )
)
def test_json_bodies_of_any_shape_get_a_documented_answer(
    module_mock: MockClient, body: dict[str, object]
) -> None:
    mock = module_mock
    response = mock.post_json("/messages", body)
    assert response.status_code in (201, 404, 422)
    if response.status_code != 201:
        assert_envelope(response, response.status_code)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.binary(max_size=60).map(lambda b: b.decode("latin-1")))
def test_garbage_keys_are_401(module_mock: MockClient, key: str) -> None:
    mock = module_mock
    raw = key.strip(" \t").encode("latin-1")
    if b"\r" in raw or b"\n" in raw or b"\0" in raw:
        return  # not sendable as a header value
    headers = [(b"X-Api-Key", raw)]
    response = mock.client.get(API + "/usage", headers=headers)
    assert_envelope(response, 401)
