"""Delivery: whether a message to a recipient is taken, the status the log shows for it, and
when it shows in the log and in usage at all.

The rule of RCPT-007/008 (a message to a recipient who cannot receive is refused, or accepted
and never delivered) lives here, with the readings around it: accept first and settle later
(READ-016, choices.delivery), the log's word for an accepted message (READ-029,
choices.accepted_status) and a log that lags (READ-046, choices.log_lag). Statuses are computed
from the time the log is read: nothing runs in the background.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from conformance.mock.behaviour import Behaviour
from conformance.mock.errors import RecipientUnreachable
from conformance.mock.records import Contact, Message

QUEUE_SECONDS = 0.3  # how long a message shows as queued before it settles (READ-016)
QUEUED = "queued"
DELIVERED = "delivered"
FAILED = "failed"


class Delivery:
    """The delivery rules of one mock's behaviour."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.choices = behaviour.choices
        self.hook = behaviour.hook

    @property
    def queued(self) -> bool:
        return self.choices.delivery == "queued"

    def settle(self, recipient: Contact | None) -> str:
        """The status a message to this recipient settles in; RecipientUnreachable when the
        message is refused."""
        if recipient is not None and recipient.can_receive:
            return DELIVERED if self.queued else self.choices.accepted_status
        hook = "send_to_unreachable" if recipient is None else "send_to_unverified"
        if self.hook(hook):
            return DELIVERED  # what the docs rule out: a message that cannot arrive, delivered
        if self.queued:
            return FAILED
        if recipient is None:
            raise RecipientUnreachable("The recipient has no TGO Connect account")
        raise RecipientUnreachable("The recipient has not verified their phone number")

    def shown(self, message: Message, now: datetime) -> Message:
        """The message with the status it shows at `now`."""
        if self.queued and _age(message.sent_at, now) < QUEUE_SECONDS:
            return replace(message, status=QUEUED)
        return message

    def visible(self, accepted_at: datetime, now: datetime) -> bool:
        """Whether a message accepted then shows in the log and in usage at `now`."""
        lag = self.choices.log_lag
        return lag <= 0 or _age(accepted_at, now) >= lag


def _age(moment: datetime, now: datetime) -> float:
    return (now - moment).total_seconds()
