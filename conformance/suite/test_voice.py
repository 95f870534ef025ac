"""Voice duration: an integer number of seconds from 1 to 300, and required on voice messages."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from conformance.checks.errors import expect_refusal, expect_success
from conformance.config import TargetConfig
from conformance.generation.payloads import MESSAGES, OMIT, media_body
from conformance.generation.strategies import (
    INVALID_DURATION_EXAMPLES,
    invalid_durations,
    valid_durations,
)
from conformance.verify import ConformanceFailure, Verifier

OUT_OF_RANGE = {"0", "301", "negative"}


@pytest.mark.writes
@pytest.mark.requirement("VOICE-001")
@pytest.mark.parametrize("duration", [1, 2, 150, 299, 300])
def test_voice_accepts_duration_within_1_to_300(
    duration: int, target: Any, tgo_config: TargetConfig, verify: Verifier
) -> None:
    response = target.request(
        "POST", MESSAGES, **media_body(tgo_config, "voice", duration=duration).kwargs()
    )
    expect_success(verify, "VOICE-001", response, what=f"voice message with duration {duration}")


@pytest.mark.writes
@pytest.mark.requirement("VOICE-001")
def test_voice_accepts_generated_durations_within_range(
    target: Any, tgo_config: TargetConfig, verify: Verifier
) -> None:
    @given(duration=valid_durations())
    def accepts(duration: int) -> None:
        body = media_body(tgo_config, "voice", duration=duration)
        response = target.request("POST", MESSAGES, **body.kwargs())
        if not expect_success(verify, "VOICE-001", response, what=f"voice, duration {duration}"):
            raise ConformanceFailure(f"voice with duration {duration} refused")

    accepts()


@pytest.mark.requirement("VOICE-002", "VOICE-003", "ERR-006")
@pytest.mark.parametrize("case", list(INVALID_DURATION_EXAMPLES))
def test_voice_refuses_duration_outside_1_to_300_or_not_whole(
    case: str, target: Any, tgo_config: TargetConfig, verify: Verifier
) -> None:
    duration = INVALID_DURATION_EXAMPLES[case]
    response = target.request(
        "POST", MESSAGES, **media_body(tgo_config, "voice", duration=duration).kwargs()
    )
    req = "VOICE-002" if case in OUT_OF_RANGE else "VOICE-003"
    for requirement in (req, "ERR-006"):
        expect_refusal(
            verify,
            requirement,
            response,
            statuses=[422],
            what=f"voice message with duration {duration!r} ({case})",
        )


@pytest.mark.requirement("VOICE-002", "VOICE-003")
def test_voice_refuses_generated_invalid_durations(
    target: Any, tgo_config: TargetConfig, verify: Verifier
) -> None:
    @given(broken=invalid_durations())
    def refuses(broken: tuple[str, str]) -> None:
        what, duration = broken
        req = "VOICE-002" if what in ("below 1", "above 300") else "VOICE-003"
        body = media_body(tgo_config, "voice", duration=duration)
        response = target.request("POST", MESSAGES, **body.kwargs())
        if not expect_refusal(
            verify, req, response, statuses=[422], what=f"voice with duration {duration!r} ({what})"
        ):
            raise ConformanceFailure(f"voice with duration {duration!r} was not refused with 422")

    refuses()


@pytest.mark.requirement("VOICE-004", "ERR-006")
def test_voice_refuses_message_without_duration(
    target: Any, tgo_config: TargetConfig, verify: Verifier
) -> None:
    response = target.request(
        "POST", MESSAGES, **media_body(tgo_config, "voice", duration=OMIT).kwargs()
    )
    for requirement in ("VOICE-004", "ERR-006"):
        expect_refusal(
            verify, requirement, response, statuses=[422], what="voice message without duration"
        )
