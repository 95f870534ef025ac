"""The parts of a multipart request, described without reading its files."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class FilePart:
    name: str
    filename: str
    content_type: str
    size: int | None
    # The bytes sent, when they could be read without disturbing the upload (for the report's
    # copy of the file, so its curl command can send it again).
    content: bytes | None = field(default=None, repr=False, compare=False)


def curl_filename(filename: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9._-]+", filename):
        return filename
    escaped = filename.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def form_fields(data: Mapping[str, Any] | None) -> Iterable[tuple[str, str]]:
    for name, value in (data or {}).items():
        for item in value if isinstance(value, list | tuple) else [value]:
            text = item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
            yield name, "" if item is None else text


def file_parts(files: Mapping[str, Any] | Sequence[tuple[str, Any]]) -> list[FilePart]:
    """What httpx will send for `files`, described without reading the files."""
    items = files.items() if isinstance(files, Mapping) else files
    parts: list[FilePart] = []
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
        parts.append(
            FilePart(name, filename, content_type, size_of(file_content), content_of(file_content))
        )
    return parts


def size_of(file_content: Any) -> int | None:
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


def content_of(file_content: Any) -> bytes | None:
    if isinstance(file_content, bytes):
        return file_content
    if isinstance(file_content, str):
        return file_content.encode()
    return None  # a file object: read by httpx as it sends, not here
