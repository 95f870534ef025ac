"""The basis of a check: the rule of the contract it applied and the docs' words behind it.

A failure is decided by one rule (a status of `x-tgo-rules`, a documented text, a schema
constraint), and a reader needs that rule's sentence, which is often not the sentence of the
requirement the failure is recorded against: a voice message refused with 409 fails the
"four types" requirement, but what decides it is the status table. Where two pages pin the
rule differently, the basis holds both sentences and the register entry that accepts either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sentence:
    """Words of one doc page, and the value they pin (a status, a code, a text), if any."""

    doc: str
    words: str
    value: str = ""

    def to_json(self) -> dict[str, str]:
        return {"doc": self.doc, "words": self.words, "value": self.value}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Sentence:
        return cls(str(data["doc"]), str(data["words"]), str(data.get("value", "")))


@dataclass(frozen=True)
class Basis:
    """What a check held the target to.

    `rule` names the rule in the contract (`x-tgo-rules.invalid_body_status`, a schema path);
    `says` states it in a few words ("invalid input is refused with 422 or 400"). The first
    sentence is the TGO pages' when there is one; more than one sentence means the pages
    contradict each other on this rule and `reading` is the register entry that accepts each.
    """

    rule: str
    says: str
    sentences: tuple[Sentence, ...]
    reading: str | None = None

    @property
    def contradicts(self) -> bool:
        return len(self.sentences) > 1

    @property
    def pins_status(self) -> bool:
        """Whether the rule pins a status: each other status breaks it another way."""
        return bool(self.sentences) and all(
            s.value.isdigit() and len(s.value) == 3 for s in self.sentences
        )

    def followed(self, observed: str) -> Sentence | None:
        """The sentence whose pinned value the target's answer matches, if any."""
        return next((s for s in self.sentences if s.value and s.value == observed), None)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "says": self.says,
            "sentences": [sentence.to_json() for sentence in self.sentences],
        }
        if self.reading is not None:
            data["reading"] = self.reading
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Basis:
        return cls(
            rule=str(data["rule"]),
            says=str(data["says"]),
            sentences=tuple(Sentence.from_json(s) for s in data.get("sentences", ())),
            reading=data.get("reading"),
        )
