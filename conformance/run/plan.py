"""`tgo-conformance plan`: what a run will send, and to whom, before it sends anything.

The plan is a dry run of the suite itself, not a second description of it: the same tests run,
in this process, against the bundled mock configured like the target (the same entries
present and absent, the same allow_writes and profile), and every request they send is counted
from that run's records of them (operation, status, body fields: data, not text read back).
Nothing goes to the target. A conforming target answers like the mock where the docs are
firm, so the dry run's requests are the estimate; the bound adds what
only the target's answers decide (pages of a list, 429 retries), and the text says what else
can change the count (generated cases that fail, a log that lags).
"""

from __future__ import annotations

import math
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from conformance.checks.lists import MAX_PAGES
from conformance.config import OtherAccount, Sender, TargetConfig
from conformance.http.evidence import SentRequest
from conformance.http.resilience import RATE_LIMIT_RETRIES
from conformance.report.environment import environment
from conformance.report.model import RunReport
from conformance.report.not_tested import breakdown
from conformance.run.pytest_front import PREFLIGHT_OPERATION

# Safety classes of a request, as the plan counts them.
READ: Final = "read"
REFUSED: Final = "must be refused"  # a write a conforming server refuses: creates nothing
CREATES: Final = "creates data"
CLASSES: Final = (READ, REFUSED, CREATES)
LIST_OPERATIONS: Final = ("listSenderNumbers", "listMessages", "getUsage")


def stand_in(mock: TargetConfig, real: TargetConfig) -> TargetConfig:
    """The mock's config with exactly the target's entries: a key, sender, recipient or
    [other_account] the target's config lacks is absent here too, so the same tests run, skip
    and say why. Rate limit off: the plan computes the time from the target's."""

    def sender(mine: Sender | None, theirs: Sender) -> Sender:
        assert mine is not None
        return Sender(
            id=mine.id if theirs.id is not None else None,
            phone=mine.phone if theirs.phone is not None else None,
        )

    other = None
    if real.other_account is not None and mock.other_account is not None:
        other = OtherAccount(
            key=mock.other_account.key,
            sender=sender(mock.other_account.sender, real.other_account.sender),
        )
    return replace(
        mock,
        allow_writes=real.allow_writes,
        rate_limit=0.0,
        keys={name: value for name, value in mock.keys.items() if name in real.keys},
        senders={
            state: sender(mock.senders.get(state), given)
            for state, given in real.senders.items()
            if state in mock.senders
        },
        recipients={n: v for n, v in mock.recipients.items() if n in real.recipients},
        other_account=other,
    )


@dataclass
class Plan:
    target: str
    profile: str
    rate_limit: float
    allow_writes: bool
    requests: dict[str, Counter[str]] = field(default_factory=dict)  # operation -> class -> n
    bound: int = 0
    senders_used: Counter[str] = field(default_factory=Counter)  # [senders] names
    recipients_used: Counter[str] = field(default_factory=Counter)  # [recipients] names
    registrations: int = 0
    not_tested: dict[str, list[str]] = field(default_factory=dict)  # cause title -> IDs
    to_add: list[str] = field(default_factory=list)
    # How a run will reach the target ([tls], proxy), as the report's environment table says.
    connection: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for c in self.requests.values())

    def seconds(self, requests: int) -> float | None:
        return None if self.rate_limit <= 0 else requests / self.rate_limit

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "profile": self.profile,
            "sends_nothing": True,
            "estimate": True,
            "requests": {
                op: {cls: counts.get(cls, 0) for cls in CLASSES}
                for op, counts in sorted(self.requests.items())
            },
            "total": self.total,
            "at_most": self.bound,
            "bound_assumes": bound_assumptions(),
            "writes": {
                "allow_writes": self.allow_writes,
                "messages_from_senders": dict(self.senders_used),
                "messages_to_recipients": dict(self.recipients_used),
                "sender_numbers_registered": self.registrations,
            },
            "not_tested": self.not_tested,
            "to_test_more_add": self.to_add,
            "connection": self.connection,
            "rate_limit": self.rate_limit,
            "estimated_duration_s": _rounded(self.seconds(self.total)),
            "at_most_duration_s": _rounded(self.seconds(self.bound)),
        }


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 1)


def bound_assumptions() -> str:
    return (
        f"each request is sent again at most {RATE_LIMIT_RETRIES} times after a 429, and each "
        f"list read follows at most {MAX_PAGES} pages; a generated case that fails is shrunk "
        "(full profile), and a log or usage that lags is read again for up to the profile's "
        "settle time: both add requests the target's answers alone decide"
    )


def plan_from_run(
    sent: Sequence[SentRequest], report: RunReport, stand: TargetConfig, real: TargetConfig
) -> Plan:
    """The plan, from the requests the dry run's tests sent (as data) and its report."""
    plan = Plan(
        target=real.redactor().text(real.base_url),  # printed: a key in the URL stays masked
        profile=report.profile,
        rate_limit=real.rate_limit,
        allow_writes=real.allow_writes,
    )
    sender_names = {}
    for state, sender in stand.senders.items():
        for value in (sender.id, sender.phone):
            if value is not None:
                sender_names[str(value)] = state
    recipient_names = {phone: name for name, phone in stand.recipients.items()}
    requests: dict[str, Counter[str]] = defaultdict(Counter)
    # The runner's preflight read comes before any test: one read, answered.
    preflight = SentRequest(PREFLIGHT_OPERATION, "GET", 200)
    for request in (preflight, *sent):
        op = request.operation or f"{request.method} (no documented operation)"
        if request.method == "GET":
            kind = READ
        elif request.status is not None and 200 <= request.status < 300:
            kind = CREATES
        else:
            kind = REFUSED
        requests[op][kind] += 1
        pages = MAX_PAGES if op in LIST_OPERATIONS and request.method == "GET" else 1
        plan.bound += pages * (1 + RATE_LIMIT_RETRIES)
        if kind == CREATES:
            _count_write(plan, op, request, sender_names, recipient_names)
    plan.requests = dict(requests)
    split = breakdown(report.requirements)
    for cause, title, results in split.causes:
        if cause in ("missing_entry", "read_only", "outside_api", "deselected"):
            plan.not_tested[title] = [r.requirement.id for r in results]
    plan.to_add = split.to_add
    plan.connection = {
        s.name: s.value
        for s in environment(real, profile=report.profile, target=plan.target)
        if s.name in ("tls", "proxy")
    }
    return plan


def _count_write(
    plan: Plan,
    op: str,
    request: SentRequest,
    senders: dict[str, str],
    recipients: dict[str, str],
) -> None:
    if op == "registerSenderNumber":
        plan.registrations += 1
        return
    sender = request.field("sender_phone") or request.field("sender_number_id")
    plan.senders_used[senders.get(str(sender), "another sender")] += 1
    to = request.field("to_phone")
    plan.recipients_used[recipients.get(str(to), "another recipient")] += 1


def render_text(plan: Plan) -> str:
    """The plan as a person reads it before granting a run against staging."""
    width = max([len("operation"), *(len(op) for op in plan.requests)])
    lines = [
        f"Plan of a run against {plan.target}, profile {plan.profile}. Nothing was sent: the "
        "counts come from a dry run of the suite against the bundled mock, configured like "
        "this target.",
        "",
        *_connection_lines(plan),
        f"Requests (an estimate; at most {plan.bound}):",
        f"  {'operation':<{width}}  {'read':>6}  {'must be refused':>15}  {'creates data':>12}"
        f"  {'total':>6}",
    ]
    totals: Counter[str] = Counter()
    for op in sorted(plan.requests):
        counts = plan.requests[op]
        totals.update(counts)
        lines.append(
            f"  {op:<{width}}  {counts[READ]:>6}  {counts[REFUSED]:>15}  {counts[CREATES]:>12}"
            f"  {sum(counts.values()):>6}"
        )
    lines.append(
        f"  {'all':<{width}}  {totals[READ]:>6}  {totals[REFUSED]:>15}  {totals[CREATES]:>12}"
        f"  {plan.total:>6}"
    )
    lines += ["", "Writes:"]
    if not plan.allow_writes:
        lines.append(
            "  none (allow_writes = false): the writes counted above are requests a conforming "
            "server must refuse"
        )
    else:
        sent = sum(plan.senders_used.values())
        lines.append(
            f"  {sent} messages, from [senders] "
            + ", ".join(f"{name} ({n})" for name, n in plan.senders_used.most_common())
            + " to [recipients] "
            + ", ".join(f"{name} ({n})" for name, n in plan.recipients_used.most_common())
        )
        lines.append(
            f"  {plan.registrations} sender numbers registered, each a phone reserved for "
            "fiction (+1 NPA 555 01xx)"
        )
    lines += ["", "Not tested, because of the config or the docs:"]
    for title, ids in plan.not_tested.items():
        lines.append(f"  {title} ({len(ids)}): {', '.join(ids)}")
    if plan.to_add:
        lines.append("  to test more, add: " + "; ".join(plan.to_add))
    lines.append("  (others may be not tested for what the target answers: the report says why)")
    lines.append("")
    estimate = plan.seconds(plan.total)
    if estimate is None:
        lines.append("Duration: no rate_limit is configured; the target's answer time decides.")
    else:
        at_most = plan.seconds(plan.bound) or 0.0
        lines.append(
            f"Duration at rate_limit {plan.rate_limit:g}/s: about {_duration(estimate)} "
            f"(at most {_duration(at_most)}), plus the target's own answer time."
        )
    lines.append(f"The bound assumes: {bound_assumptions()}.")
    return "\n".join(lines)


def _connection_lines(plan: Plan) -> list[str]:
    """How the run will reach the target, when [tls] or a proxy is in play (nothing to say for
    plain defaults)."""
    tls, proxy = plan.connection.get("tls", ""), plan.connection.get("proxy", "none")
    if "[tls]" not in tls and proxy == "none":
        return []
    return [f"Connection: TLS {tls}; proxy {proxy}.", ""]


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{math.ceil(seconds)} s"
    return f"{seconds / 60:.0f} min"


def dry_run_dir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="tgo-plan-")
