"""One run, described once: built by the runner (or by the plugin's options), read by the
plugin in the controller and, sent as data, in every xdist worker."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from conformance.config import OtherAccount, Sender, TargetConfig
from conformance.config.model import TlsFiles
from conformance.invocation import Invocation
from conformance.profiles import PROFILES, Profile
from conformance.rules.values import Rules, load_rules
from conformance.waivers import Waiver, today

WORK_DIR = ".work"  # inside the report directory; removed when the run ends


# The key of xdist's workerinput under which each worker gets the run, as data.
WORKER_INPUT = "tgo_run"


def default_report_dir() -> Path:
    """A new timestamped folder under reports/."""
    return Path("reports") / time.strftime("%Y%m%d-%H%M%S")


@dataclass(frozen=True)
class RunDescription:
    """Everything a run needs to know, in one typed value."""

    target: TargetConfig
    report_dir: Path
    target_label: str = ""
    run_name: str = ""  # --name: the run's label in matrices (default: the base URL)
    profile: str = "full"
    deadline: float | None = None  # time.time() after which no test starts (--max-duration)
    max_duration: float | None = None  # the --max-duration it came from, for messages
    baseline: Path | None = None
    # Keep only the tests that declare one of these requirements (None: every test).
    requirements: frozenset[str] | None = None
    contract: Path | None = None  # another contract to read the rules from (kit tests)
    seed: int | None = None  # the generated cases' seed (None until the plugin picks one)
    waivers: tuple[Waiver, ...] = ()  # from --waivers
    # The day waivers are judged on: one for the whole run, in every process, so a run that
    # crosses midnight never has pytest waive a failure the report then calls expired.
    waivers_date: date = field(default_factory=today)
    progress_every: float | None = None  # seconds between progress lines (None: by terminal)
    # How the run was started, for its rerun commands (None: the plan's dry run). No key.
    invocation: Invocation | None = None

    @property
    def label(self) -> str:
        """The target's name in reports."""
        return self.target_label or self.target.base_url

    @property
    def name(self) -> str:
        """The run's name (--name); by default the target's base URL without credentials."""
        return self.run_name or url_without_credentials(self.target.base_url)

    @property
    def rules(self) -> Rules:
        return load_rules(self.contract)

    @property
    def profile_settings(self) -> Profile:
        return PROFILES[self.profile]

    @property
    def work_dir(self) -> Path:
        return self.report_dir / WORK_DIR

    @property
    def hypothesis_dir(self) -> Path:
        """Hypothesis' caches during the run: inside the report directory, removed with the
        work directory, so a run writes nothing anywhere else."""
        return self.work_dir / "hypothesis"

    @property
    def har_parts(self) -> Path:
        """Where each process of the run appends its exchanges (merged into exchanges.har)."""
        return self.work_dir / "har"

    @property
    def ratelimit_file(self) -> Path:
        """The rate limiter's state, shared by the controller and every xdist worker."""
        return self.work_dir / "ratelimit"

    def to_wire(self) -> dict[str, Any]:
        """Plain data for an xdist worker (it holds the keys: it goes over the worker's pipe,
        never to a file)."""
        return {
            "target": _config_to_wire(self.target),
            "report_dir": str(self.report_dir),
            "target_label": self.target_label,
            "run_name": self.run_name,
            "profile": self.profile,
            "deadline": self.deadline,
            "max_duration": self.max_duration,
            "baseline": None if self.baseline is None else str(self.baseline),
            "requirements": None if self.requirements is None else sorted(self.requirements),
            "contract": None if self.contract is None else str(self.contract),
            "seed": self.seed,
            "waivers": [waiver.to_wire() for waiver in self.waivers],
            "waivers_date": self.waivers_date.isoformat(),
            "progress_every": self.progress_every,
            "invocation": None if self.invocation is None else self.invocation.to_json(),
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> RunDescription:
        return cls(
            target=_config_from_wire(data["target"]),
            report_dir=Path(data["report_dir"]),
            target_label=data["target_label"],
            run_name=data["run_name"],
            profile=data["profile"],
            deadline=data["deadline"],
            max_duration=data["max_duration"],
            baseline=None if data["baseline"] is None else Path(data["baseline"]),
            requirements=None if data["requirements"] is None else frozenset(data["requirements"]),
            contract=None if data["contract"] is None else Path(data["contract"]),
            seed=data["seed"],
            waivers=tuple(Waiver.from_wire(w) for w in data["waivers"]),
            waivers_date=date.fromisoformat(data["waivers_date"]),
            progress_every=data["progress_every"],
            invocation=None
            if data.get("invocation") is None
            else Invocation.from_json(data["invocation"]),
        )


def url_without_credentials(url: str) -> str:
    """The URL with any user:password@ removed (a name is shown everywhere; a key is not)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _sender_to_wire(sender: Sender) -> dict[str, Any]:
    return {"id": sender.id, "phone": sender.phone}


def _config_to_wire(config: TargetConfig) -> dict[str, Any]:
    other = config.other_account
    return {
        "base_url": config.base_url,
        "timeout": config.timeout,
        "rate_limit": config.rate_limit,
        "allow_writes": config.allow_writes,
        "keys": dict(config.keys),
        "senders": {state: _sender_to_wire(s) for state, s in config.senders.items()},
        "recipients": dict(config.recipients),
        "other_account": None
        if other is None
        else {"key": other.key, "sender": _sender_to_wire(other.sender)},
        # Paths only: each worker loads the files itself, as the controller did.
        "tls": {
            name: None if path is None else str(path)
            for name, path in (
                ("ca_bundle", config.tls.ca_bundle),
                ("client_cert", config.tls.client_cert),
                ("client_key", config.tls.client_key),
            )
        },
        "proxy": config.proxy,
        "source": config.source,
    }


def _config_from_wire(data: dict[str, Any]) -> TargetConfig:
    other = data["other_account"]
    return TargetConfig(
        base_url=data["base_url"],
        timeout=data["timeout"],
        rate_limit=data["rate_limit"],
        allow_writes=data["allow_writes"],
        keys=data["keys"],
        senders={state: Sender(**s) for state, s in data["senders"].items()},
        recipients=data["recipients"],
        other_account=None
        if other is None
        else OtherAccount(key=other["key"], sender=Sender(**other["sender"])),
        tls=TlsFiles(**{n: None if p is None else Path(p) for n, p in data["tls"].items()}),
        proxy=data["proxy"],
        source=data["source"],
    )
