"""Uploaded files: what the mock keeps of one, and whether it is of its message type.

The docs only say the file goes in the multipart field media; a server may take any file, or
only one whose kind matches the message type (READ-032, choices.sniff_media, read by
validation.Validator).
"""

from __future__ import annotations

from dataclasses import dataclass, field

HEAD_BYTES = 16  # how much of a file is kept for sniffing

# message type -> (the Content-Type family it needs, the signatures its first bytes may carry).
# A type not named here (document) takes any file.
KINDS: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "image": ("image/", (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")),
    "voice": ("audio/", (b"OggS", b"RIFF", b"ID3", b"fLaC")),
}


@dataclass(frozen=True)
class Media:
    """An uploaded file, as far as the model cares."""

    filename: str
    size: int
    content_type: str | None = None
    head: bytes = field(default=b"", repr=False)  # its first HEAD_BYTES bytes


def fits(message_type: str, media: Media) -> bool:
    """Whether the file is of the message's type: by its Content-Type and its first bytes."""
    kind = KINDS.get(message_type)
    if kind is None:
        return True
    family, signatures = kind
    declared = (media.content_type or "").split(";", 1)[0].strip().lower()
    return declared.startswith(family) and media.head.startswith(signatures)
