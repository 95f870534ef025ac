"""The inputs a verdict was judged by, pinned: the kit's version and a sha256 of each input.

Two runs judged by different inputs (another contract, catalogue or register, or a kit derived
from other doc pages) are not comparable, and tools that compare runs say so. The doc pages do
not ship with the kit: `doc-pages.json` records the hash of each page it was derived from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from conformance import kit_version
from conformance.rules.contract import catalogue_path, readings_path, spec_path

DOC_PAGES_FILE = Path(__file__).resolve().parents[1] / "data" / "doc-pages.json"
DOC_PREFIX = "doc:"  # the name of a doc page's input: doc:sending-messages.txt


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@cache
def doc_page_hashes() -> dict[str, str]:
    """Page file name -> sha256, as recorded when the kit was derived from the pages."""
    data = json.loads(DOC_PAGES_FILE.read_text(encoding="utf-8"))
    pages: dict[str, str] = data["pages"]
    return dict(pages)


@dataclass(frozen=True)
class PinnedInputs:
    """The kit's version and input name -> sha256 (doc pages as doc:NAME; contract, catalogue,
    readings)."""

    kit_version: str
    inputs: Mapping[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"kit_version": self.kit_version, "inputs": dict(self.inputs)}


def pinned_inputs(contract: Path | None = None) -> PinnedInputs:
    """The inputs of a run that reads its rules from `contract` (None: the shipped one)."""
    inputs = {f"{DOC_PREFIX}{name}": digest for name, digest in doc_page_hashes().items()}
    inputs["contract"] = sha256_of(contract or spec_path())
    inputs["catalogue"] = sha256_of(catalogue_path())
    inputs["readings"] = sha256_of(readings_path())
    return PinnedInputs(kit_version(), inputs)


def differing_inputs(one: Mapping[str, str] | None, other: Mapping[str, str] | None) -> list[str]:
    """The names of the inputs two runs were judged by differently (every name when either
    run does not say: a summary.json written before inputs were pinned)."""
    if one is None or other is None:
        return sorted(set(one or {}) | set(other or {})) or ["inputs not recorded"]
    return sorted(name for name in set(one) | set(other) if one.get(name) != other.get(name))
