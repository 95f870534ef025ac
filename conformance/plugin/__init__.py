"""The pytest plugin of tgo-conformance (the pytest11 entry point `conformance.plugin`).

Inert unless a run is described: by the runner, which registers a ConformancePlugin itself;
by the options below (`pytest --pyargs conformance.suite --tgo-config FILE`); or, in an xdist
worker, by the run description its controller sent. So it never touches other test suites.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.config import ConfigError, load_config
from conformance.description import WORKER_INPUT, RunDescription, default_report_dir
from conformance.plugin.selection import requirements_option
from conformance.plugin.session import ConformancePlugin
from conformance.plugin.verdict import ConformanceWarning
from conformance.profiles import PROFILES
from conformance.rules.values import Rules, load_rules
from conformance.waivers import WaiverError, load_waivers

__all__ = ["ConformancePlugin", "ConformanceWarning", "registered", "rules_of"]

PLUGIN_NAME = "tgo-conformance-run"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tgo-conformance", "TGO Business API conformance")
    group.addoption("--tgo-config", metavar="FILE", help="target config (TOML) to test against")
    group.addoption(
        "--tgo-from-env",
        action="store_true",
        help="take the whole target config from TGO_* environment variables",
    )
    group.addoption("--tgo-report-dir", metavar="DIR", help="where the run writes its reports")
    group.addoption("--tgo-profile", choices=sorted(PROFILES), default="full")
    group.addoption("--tgo-baseline", metavar="DIR", help="an earlier run's report directory")
    group.addoption("--tgo-waivers", metavar="FILE", help="known deviations (TOML) to waive")
    group.addoption(
        "--tgo-target-label", default=None, help="the target's name in reports (default: base_url)"
    )
    group.addoption(
        "--tgo-requirements",
        metavar="ID[,ID...]",
        default=None,
        help="run only the tests that declare one of these requirements",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "requirement(*ids): the catalogue requirement IDs this test verifies"
    )
    config.addinivalue_line(
        "markers", "writes: the test creates data on the target (needs allow_writes = true)"
    )
    if registered(config) is not None:
        return  # the runner registered its own, or this is a second configure
    run = _from_worker(config) or _from_options(config)
    if run is not None:
        controller = not hasattr(config, "workerinput")
        config.pluginmanager.register(ConformancePlugin(run, controller=controller), PLUGIN_NAME)


def rules_of(config: pytest.Config) -> Rules:
    """The rules the run holds the target to; at collection without a run, the contract's."""
    plugin = registered(config)
    return plugin.rules if plugin is not None else load_rules()


def registered(config: pytest.Config) -> ConformancePlugin | None:
    """The run's plugin, if one is registered."""
    for plugin in config.pluginmanager.get_plugins():
        if isinstance(plugin, ConformancePlugin):
            return plugin
    return None


def _from_worker(config: pytest.Config) -> RunDescription | None:
    workerinput = getattr(config, "workerinput", None)
    if not workerinput or WORKER_INPUT not in workerinput:
        return None
    return RunDescription.from_wire(workerinput[WORKER_INPUT])


def _from_options(config: pytest.Config) -> RunDescription | None:
    path = config.getoption("--tgo-config")
    if not path and not config.getoption("--tgo-from-env"):
        return None
    try:
        target = load_config(Path(path) if path else None)
    except ConfigError as error:
        raise pytest.UsageError(str(error)) from None
    report_dir = config.getoption("--tgo-report-dir")
    baseline = config.getoption("--tgo-baseline")
    waivers = config.getoption("--tgo-waivers")
    try:
        waived = load_waivers(Path(waivers)) if waivers else ()
    except WaiverError as error:
        raise pytest.UsageError(str(error)) from None
    return RunDescription(
        target=target,
        report_dir=Path(report_dir) if report_dir else default_report_dir(),
        target_label=config.getoption("--tgo-target-label") or "",
        profile=config.getoption("--tgo-profile"),
        baseline=Path(baseline) if baseline else None,
        requirements=requirements_option(config),
        seed=_seed_option(config),
        waivers=waived,
    )


def _seed_option(config: pytest.Config) -> int | None:
    """--hypothesis-seed, when it is a number (the plugin picks one otherwise)."""
    value = config.getoption("hypothesis_seed", None)
    try:
        return None if value is None else int(value)
    except ValueError:
        return None
