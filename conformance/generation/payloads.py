"""Request bodies the suite sends: always from configured senders to configured recipients.

Writes on a real target must never reach a real person, so every body that could be accepted
names only numbers the operator put in the target config; generated values go only into
fields whose refusal the test expects.
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass
from typing import Any

from conformance.config import Sender, TargetConfig

# A sender no account holds: a UK drama number (Ofcom reserves 07700 900xxx for fiction) and an
# id far past any a target hands out.
UNREGISTERED_SENDER_PHONE = "+447700900123"
UNREGISTERED_SENDER_ID = 987_654_321

# Tiny but real files, so a server that sniffs content sees what the type says.
MEDIA_FILES: dict[str, tuple[str, bytes, str]] = {
    "image": (
        "image.png",
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
        ),
        "image/png",
    ),
    "voice": ("audio.ogg", b"OggS\x00\x02" + b"\x00" * 40, "audio/ogg"),
    "document": (
        "document.pdf",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n",
        "application/pdf",
    ),
}


# NANP reserves NPA-555-0100 to NPA-555-0199 for fiction: registering one alerts nobody. The
# numbers are walked from a random start so one run (and its workers) rarely repeats one.
_FICTIONAL = itertools.count(secrets.randbelow(800 * 100))


def fictional_phone() -> str:
    """A phone number reserved for fiction, different from the previous ones of this process."""
    n = next(_FICTIONAL) % (800 * 100)
    area, line = divmod(n, 100)
    return f"+1{200 + area}55501{line:02d}"


@dataclass(frozen=True)
class Multipart:
    """A multipart/form-data body: text fields and files, as httpx takes them."""

    fields: dict[str, str]
    files: dict[str, tuple[str, bytes, str]]

    def kwargs(self) -> dict[str, Any]:
        return {"data": self.fields, "files": self.files or None}


def sender_fields(sender: Sender, *, by: str = "phone") -> dict[str, Any]:
    """The sender named by phone or by id; falls back to whichever the config has."""
    if by == "id" and sender.id is not None:
        return {"sender_number_id": sender.id}
    if sender.phone is not None:
        return {"sender_phone": sender.phone}
    return {"sender_number_id": sender.id}


def text_body(
    config: TargetConfig,
    *,
    sender: Sender | None = None,
    to: str | None = None,
    content: str = "tgo-conformance check",
    by: str = "phone",
    **overrides: Any,
) -> dict[str, Any]:
    """A text message a conforming server accepts (when sender and recipient are ready)."""
    chosen = sender or config.sender("active")
    assert chosen is not None  # required by the config contract
    body: dict[str, Any] = {
        **sender_fields(chosen, by=by),
        "to_phone": to if to is not None else config.recipient("reachable"),
        "type": "text",
        "content": content,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not OMIT}


def media_body(
    config: TargetConfig,
    message_type: str,
    *,
    sender: Sender | None = None,
    to: str | None = None,
    duration: Any = 45,
    by: str = "phone",
    media: bool = True,
    **overrides: Any,
) -> Multipart:
    """An image, voice or document message as multipart/form-data, with a real file."""
    chosen = sender or config.sender("active")
    assert chosen is not None
    fields: dict[str, Any] = {
        **sender_fields(chosen, by=by),
        "to_phone": to if to is not None else config.recipient("reachable"),
        "type": message_type,
    }
    if message_type == "voice":
        fields["duration"] = duration
    fields.update(overrides)
    text_fields = {k: str(v) for k, v in fields.items() if v is not OMIT}
    files = {"media": MEDIA_FILES.get(message_type, MEDIA_FILES["document"])} if media else {}
    return Multipart(text_fields, files)


class _Omit:
    """Marks a field to leave out of a body (None is a value a test may want to send)."""

    def __repr__(self) -> str:
        return "OMIT"


OMIT: Any = _Omit()
