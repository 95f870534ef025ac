"""Reference requests: the accepted requests every negative case is built from.

A negative case proves a rule only if the same request without the defect is accepted: a
refusal of a request the target refuses anyway says nothing of the rule. So each negative case
is a reference request changed in exactly one property, and before it counts, the reference
itself is sent once in the run (per process) and must be accepted. With `allow_writes = false`
a writing reference cannot be sent: the negative cases still run, built the same way, and the
report says that their reason could not be confirmed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.checks.errors import error_code, error_message
from conformance.checks.values import shown
from conformance.config import TargetConfig
from conformance.generation.payloads import fictional_phone, media_body, text_body
from conformance.http.client import TargetClient
from conformance.http.evidence import Exchange
from conformance.not_run import NotRun
from conformance.rules.values import Rules


@dataclass(frozen=True)
class ReferenceKind:
    """One reference request: what it is (for a reader), which operation, and its body."""

    name: str
    description: str
    operation: str
    writes: bool
    build: Callable[[TargetConfig], dict[str, Any]]


def reference_kinds(rules: Rules) -> dict[str, ReferenceKind]:
    """Every reference request, by name."""
    kinds = {
        "text": ReferenceKind(
            "text",
            "a text message as JSON from [senders] active to [recipients] reachable",
            "sendMessage",
            True,
            lambda c: {"json": text_body(c)},
        ),
        "registration": ReferenceKind(
            "registration",
            "the registration of a phone number reserved for fiction",
            "registerSenderNumber",
            True,
            lambda c: {"json": {"phone": fictional_phone(), "display_name": "tgo-conformance"}},
        ),
        "lookup": ReferenceKind(
            "lookup",
            "a lookup of [recipients] reachable",
            "lookupContact",
            False,
            lambda c: {"params": {"phone": c.recipient("reachable")}},
        ),
        "lookup with sender": ReferenceKind(
            "lookup with sender",
            "a lookup of [recipients] reachable naming [senders] active's phone",
            "lookupContact",
            False,
            lambda c: {"params": {"phone": c.recipient("reachable"), "sender_phone": _phone(c)}},
        ),
    }
    for media_type in rules.media_types:
        kinds[media_type] = ReferenceKind(
            media_type,
            f"a {media_type} message as multipart/form-data from [senders] active to "
            "[recipients] reachable",
            "sendMessage",
            True,
            _media_reference(media_type),
        )
    return kinds


def _media_reference(media_type: str) -> Callable[[TargetConfig], dict[str, Any]]:
    return lambda config: media_body(config, media_type).kwargs()


def _phone(config: TargetConfig) -> str | None:
    active = config.sender("active")
    return None if active is None else active.phone


@dataclass(frozen=True)
class Confirmation:
    """Whether a reference was accepted: True, False (with the answer), or None when it could
    not be sent (a write, with writes not allowed)."""

    kind: ReferenceKind
    accepted: bool | None
    answer: str = ""

    def not_run(self) -> NotRun:
        """Why the negative cases built on a refused reference are not tested."""
        return NotRun("reference_refused", self.reason_not_tested())

    def reason_not_tested(self) -> str:
        """Why the negative cases built on a refused reference are not tested, in words."""
        return (
            f"the reference request ({self.kind.description}) was not accepted: {self.answer}; "
            "a refusal of it changed in one property would say nothing of the rule"
        )


@dataclass
class References:
    """The reference requests of one process, each sent at most once."""

    target: TargetClient
    config: TargetConfig
    rules: Rules
    _seen: dict[str, Confirmation] = field(default_factory=dict)

    def confirm(self, name: str) -> Confirmation:
        """Send the reference `name` (once per process) and say whether it was accepted."""
        if name in self._seen:
            return self._seen[name]
        kind = reference_kinds(self.rules)[name]
        if kind.writes and not self.config.allow_writes:
            confirmation = Confirmation(kind, None)
        else:
            response = self.target.call(kind.operation, **kind.build(self.config))
            confirmation = Confirmation(kind, *_accepted(response))
        self._seen[name] = confirmation
        return confirmation


def _accepted(response: Exchange) -> tuple[bool, str]:
    status = response.status_code
    if 200 <= status < 300:
        return True, ""
    code, text = error_code(response), error_message(response)
    said = ", ".join(p for p in (code and f"code {shown(code)}", text and shown(text)) if p)
    return False, f"answered {status}" + (f" ({said})" if said else "")
