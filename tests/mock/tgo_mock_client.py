"""A TestClient wrapper for the mock's tests: fixture keys, request builders, list reading."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

from conformance.checks.paging import next_page
from conformance.mock import Behaviour, Seeded, State
from conformance.mock.models import Backend

with warnings.catch_warnings():
    # starlette 1.x asks for httpx2 in its TestClient; the project pins httpx, which works.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

API = "/api/v1"
DROP = object()  # a field value meaning "leave this field out"

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
OGG = b"OggS" + b"\x00" * 32
PNG_FILE = ("image.png", PNG, "image/png")
BOUNDARY = "tgo-mock-test-boundary"


def encode_multipart(
    fields: Mapping[str, str], files: Mapping[str, object], boundary: str = BOUNDARY
) -> tuple[bytes, str]:
    """A multipart/form-data body (built by hand so tests can also send no file at all)."""
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(head.encode() + value.encode() + b"\r\n")
    for name, spec in files.items():
        filename, content, ctype = spec  # type: ignore[misc]
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class MockClient:
    """A TestClient over a seeded mock, with the fixture keys and request builders."""

    def __init__(
        self, client: TestClient, state: State, seeded: Seeded, behaviour: Behaviour
    ) -> None:
        self.client = client
        self.state = state
        self.seeded = seeded
        self.behaviour = behaviour
        self.backend = Backend(state)  # faithful back office, as the control plane uses

    def auth(self, key: str | None = "full") -> dict[str, str]:
        """X-Api-Key for a fixture key by name ("other_account": the second account's), or no
        header for None."""
        if key is None:
            return {}
        if key == "other_account":
            return {"X-Api-Key": self.seeded.other_account.key}
        return {"X-Api-Key": self.seeded.keys.as_dict()[key]}

    def get(self, path: str, key: str | None = "full", **kwargs: Any) -> Any:
        headers = {**self.auth(key), **kwargs.pop("headers", {})}
        return self.client.get(API + path, headers=headers, **kwargs)

    def post_json(self, path: str, body: object, key: str | None = "full", **kwargs: Any) -> Any:
        headers = {**self.auth(key), **kwargs.pop("headers", {})}
        return self.client.post(API + path, json=body, headers=headers, **kwargs)

    def text_body(self, **fields: object) -> dict[str, object]:
        body: dict[str, object] = {
            "sender_phone": self.seeded.senders.active.phone,
            "to_phone": self.seeded.recipients.reachable,
            "type": "text",
            "content": "Hello from TGO Business",
        }
        body.update(fields)
        return {k: v for k, v in body.items() if v is not DROP}

    def send_text(self, key: str | None = "full", **fields: object) -> Any:
        return self.post_json("/messages", self.text_body(**fields), key)

    def send_media(
        self,
        message_type: str = "image",
        key: str | None = "full",
        media: object = None,
        **fields: object,
    ) -> Any:
        """A multipart send; media None = a file fitting the type, DROP = no media part."""
        data: dict[str, object] = {
            "sender_phone": self.seeded.senders.active.phone,
            "to_phone": self.seeded.recipients.reachable,
            "type": message_type,
        }
        if message_type == "voice":
            data["duration"] = "45"
        data.update(fields)
        if media is None:
            media = ("audio.ogg", OGG, "audio/ogg") if message_type == "voice" else PNG_FILE
        files = {} if media is DROP else {"media": media}
        body, content_type = encode_multipart(
            {k: str(v) for k, v in data.items() if v is not DROP}, files
        )
        headers = {**self.auth(key), "Content-Type": content_type}
        return self.client.post(API + "/messages", content=body, headers=headers)

    def register(self, phone: str, key: str | None = "full", **fields: object) -> Any:
        return self.post_json("/sender-numbers", {"phone": phone, **fields}, key)

    def lookup(self, key: str | None = "full", **params: str) -> Any:
        return self.get("/contacts/lookup", key, params=params)


# Where a list body may hold its entries (READ-018).
LIST_KEYS = ("data", "items", "results", "sender_numbers", "messages", "usage")


def entries_of(body: object) -> list[Any]:
    """The entries of one list body: a bare array, or the array an envelope holds."""
    if isinstance(body, list):
        return body
    assert isinstance(body, dict), body
    found = [body[key] for key in LIST_KEYS if isinstance(body.get(key), list)]
    assert len(found) == 1, body
    entries: list[Any] = found[0]
    return entries


def next_url(response: Any) -> str | None:
    """The next page a list response announces, read as the suite reads it."""
    body = response.json()
    return next_page(str(response.url), response.headers, body, entries_of(body), 0).url


def list_all(mock: MockClient, path: str, key: str | None = "full") -> list[Any]:
    """Every entry of a list, following its pages as the suite's reader does (at most 50)."""
    response = mock.get(path, key)
    found: list[Any] = []
    for _ in range(50):
        assert response.status_code == 200, response.text
        page = entries_of(response.json())
        found += page
        following = next_page(
            str(response.url), response.headers, response.json(), page, len(found)
        )
        assert following.unreadable is None, following.unreadable
        if following.url is None:
            return found
        response = mock.client.get(following.url, headers=mock.auth(key))
    raise AssertionError(f"{path} pages without end")


def error_of(response: Any) -> tuple[int, str | None]:
    """(status, code) of a response; code None when the body is not an error envelope."""
    try:
        body = response.json()
    except ValueError:
        return response.status_code, None
    code = body.get("code") if isinstance(body, Mapping) else None
    return response.status_code, code


MakeMock = Callable[..., MockClient]
