"""The search every test that reads what the kit wrote runs: no piece of any configured key.

A report may show of a key its prefix and last four characters (`trk_…abcd`). Whole keys are
easy to look for and easy to miss in pieces, so the search is for every 12-character piece of
every key, in the bytes of each file, as a user's grep would find them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

PIECE = 12


def key_pieces(secret: str, size: int = PIECE) -> set[bytes]:
    """Every `size`-character piece of `secret`, as UTF-8 bytes (the whole key when shorter)."""
    if len(secret) <= size:
        return {secret.encode()}
    return {secret[i : i + size].encode() for i in range(len(secret) - size + 1)}


def pieces_found(data: bytes, secrets: Iterable[str]) -> list[str]:
    """The pieces of `secrets` that `data` holds, shown as their positions in the key."""
    found = []
    for secret in secrets:
        for piece in sorted(key_pieces(secret)):
            if piece in data:
                start = secret.encode().find(piece)
                found.append(f"characters {start} to {start + len(piece) - 1} of a key")
    return found


def assert_no_key_piece(outputs: Mapping[str, bytes | str], secrets: Iterable[str]) -> None:
    """No output (a name -> its bytes or text) holds a 12-character piece of any secret."""
    secrets = [s for s in secrets if s]
    assert secrets, "nothing to search for: the test lost its keys"
    for name, content in outputs.items():
        data = content.encode("utf-8", "surrogateescape") if isinstance(content, str) else content
        found = pieces_found(data, secrets)
        assert not found, f"{name} holds {found[0]} ({len(found)} pieces in all)"


def files_under(directory: Path) -> dict[str, bytes]:
    """Every file under `directory`, by its path relative to it."""
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }
