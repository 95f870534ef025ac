"""Voice duration: a number of seconds within the documented bounds, required on voice messages.

Every bound comes from the rules (the contract's duration minimum and maximum). A fraction
within the bounds is a reading (READ-013): taken or refused, the report says which.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given

from conformance.checks.errors import Broken, broke, expect_refusal, expect_success, invalid_body
from conformance.checks.values import shown
from conformance.config import TargetConfig
from conformance.generation.payloads import OMIT, media_body
from conformance.generation.references import Confirmation
from conformance.generation.strategies import (
    boundary_durations,
    invalid_durations,
    not_a_number_durations,
    out_of_range_durations,
    valid_durations,
)
from conformance.http.client import TargetClient
from conformance.http.evidence import Exchange
from conformance.plugin import rules_of
from conformance.rules.values import Rules
from conformance.verify import ConformanceFailure, Verifier


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    rules = rules_of(metafunc.config)
    if "duration" in metafunc.fixturenames:
        metafunc.parametrize("duration", boundary_durations(rules))
    if "outside" in metafunc.fixturenames:
        metafunc.parametrize("outside", list(out_of_range_durations(rules).values()))
    if "not_a_number" in metafunc.fixturenames:
        metafunc.parametrize("not_a_number", list(not_a_number_durations().values()))


Reference = Callable[[str], Confirmation]


def _duration(rules: Rules) -> Broken:
    """The property a duration case breaks."""
    return broke(rules, "sendMessage", "duration")


def _send_voice(target: TargetClient, config: TargetConfig, duration: object) -> Exchange:
    return target.call("sendMessage", **media_body(config, "voice", duration=duration).kwargs())


@pytest.mark.writes
@pytest.mark.requirement("VOICE-001")
def test_voice_accepts_duration_within_the_bounds(
    duration: int,
    target: TargetClient,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
) -> None:
    response = _send_voice(target, tgo_config, duration)
    expect_success(verify, "VOICE-001", response, what=f"voice message with duration {duration}")


@pytest.mark.writes
@pytest.mark.requirement("VOICE-001")
def test_voice_accepts_generated_durations_within_the_bounds(
    target: TargetClient, tgo_config: TargetConfig, tgo_rules: Rules, verify: Verifier
) -> None:
    @given(duration=valid_durations(tgo_rules))
    def accepts(duration: int) -> None:
        response = _send_voice(target, tgo_config, duration)
        if not expect_success(verify, "VOICE-001", response, what=f"voice, duration {duration}"):
            raise ConformanceFailure(f"voice with duration {duration} refused")

    accepts()


@pytest.mark.requirement("VOICE-002", "ERR-006", "ERR-014")
def test_voice_refuses_duration_outside_the_bounds(
    outside: str,
    target: TargetClient,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
    reference: Reference,
) -> None:
    reference("voice")
    response = _send_voice(target, tgo_config, outside)
    for requirement in ("VOICE-002", "ERR-006"):
        expect_refusal(
            verify,
            requirement,
            response,
            invalid_body(tgo_rules),
            what=f"voice message with duration {shown(outside)}",
            broken=_duration(tgo_rules),
        )


@pytest.mark.requirement("VOICE-003", "ERR-006", "ERR-014")
def test_voice_refuses_duration_that_is_no_number(
    not_a_number: str,
    target: TargetClient,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
    reference: Reference,
) -> None:
    reference("voice")
    response = _send_voice(target, tgo_config, not_a_number)
    for requirement in ("VOICE-003", "ERR-006"):
        expect_refusal(
            verify,
            requirement,
            response,
            invalid_body(tgo_rules),
            what=f"voice message with duration {shown(not_a_number)}",
            broken=_duration(tgo_rules),
        )


@pytest.mark.requirement("VOICE-002", "VOICE-003")
def test_voice_refuses_generated_invalid_durations(
    target: TargetClient,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
    reference: Reference,
) -> None:
    reference("voice")

    @given(broken=invalid_durations(tgo_rules))
    def refuses(broken: tuple[str, str]) -> None:
        what, duration = broken
        req = "VOICE-003" if what in ("not a number", "empty") else "VOICE-002"
        response = _send_voice(target, tgo_config, duration)
        if not expect_refusal(
            verify,
            req,
            response,
            invalid_body(tgo_rules),
            what=f"voice with duration {shown(duration)} ({what})",
            broken=_duration(tgo_rules),
        ):
            raise ConformanceFailure(f"voice with duration {shown(duration)} was not refused")

    refuses()


@pytest.mark.writes
@pytest.mark.requirement("VOICE-003")
def test_fraction_within_the_bounds_is_a_reading(
    target: TargetClient, tgo_config: TargetConfig, tgo_rules: Rules, verify: Verifier
) -> None:
    fraction = f"{tgo_rules.duration.minimum}.5"
    response = _send_voice(target, tgo_config, fraction)
    if 200 <= response.status_code < 300:
        verify.chose("VOICE-003", "READ-013", "a fractional duration within the bounds is taken")
    elif response.status_code in invalid_body(tgo_rules):
        verify.chose("VOICE-003", "READ-013", "a fractional duration is refused")
    else:
        expect_refusal(
            verify,
            "VOICE-003",
            response,
            invalid_body(tgo_rules),
            what=f"voice message with duration {shown(fraction)}",
        )


@pytest.mark.requirement("VOICE-004", "ERR-006", "ERR-014")
def test_voice_refuses_message_without_duration(
    target: TargetClient,
    tgo_config: TargetConfig,
    tgo_rules: Rules,
    verify: Verifier,
    reference: Reference,
) -> None:
    reference("voice")
    response = _send_voice(target, tgo_config, OMIT)
    for requirement in ("VOICE-004", "ERR-006"):
        expect_refusal(
            verify,
            requirement,
            response,
            invalid_body(tgo_rules),
            what="voice message without duration",
            broken=_duration(tgo_rules),
        )
