"""The API's doc pages, as the tests that check quotes read them.

The pages are not part of the repository: they live beside the checkout (../shared/api-docs)
or wherever TGO_API_DOCS points. On a plain clone without them the citation tests skip, with one
reason that says where to point TGO_API_DOCS. CI always has them and sets TGO_REQUIRE_API_DOCS
(.ci/run), so there a missing directory fails those tests: a skipped citation check would let
an invented quote through.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def docs_dir() -> Path:
    return Path(os.environ.get("TGO_API_DOCS", REPO.parent / "shared" / "api-docs"))


def normalise(text: str) -> str:
    return " ".join(text.split())


@cache
def doc_text(name: str) -> str:
    """The page, whitespace normalised (quotes are compared the same way)."""
    directory = docs_dir()
    if not directory.is_dir():
        reason = (
            f"the TGO API doc pages are not here: looked in {directory}; set TGO_API_DOCS to "
            "the folder holding the five pages to check the quotes against them"
        )
        if os.environ.get("TGO_REQUIRE_API_DOCS"):
            pytest.fail(reason + " (TGO_REQUIRE_API_DOCS is set: they are required)")
        pytest.skip(reason)
    page = directory / name
    if not page.is_file():
        pytest.fail(f"docs page {name} not found in {directory}")
    return normalise(page.read_text(encoding="utf-8"))


def quoted(doc: str, words: str) -> bool:
    """Whether `words` occur, word for word, in the page `doc`."""
    return normalise(words) in doc_text(doc)
