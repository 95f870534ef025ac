"""The mock's domain errors: one class per error, each knowing its status, code and message.

Rules raise these; the HTTP layer renders them in the error envelope (views.Views.error).
A value the docs pin (a status, a code, a message) is not written here: the class names the
rule that holds it (`status_rule = "unauthorized_status"`, `message_rule =
"invalid_phone_message"`), and `wire(rules, choices)` reads it from the mock's rules, so a
variant that changes the rule changes the error, and every documented message lives in the
contract's x-tgo-rules alone. A status the docs
leave open but a reading fixes is named the same way (`status_choice`, a field of Choices).
Other values the docs leave open are the mock's own (`documented_*` False), and
compat_own_wording may replace them.
"""

from __future__ import annotations

from typing import ClassVar

from conformance.mock.behaviour import Choices
from conformance.rules.values import Rules


class MockError(Exception):
    """A request the mock refuses. Subclasses fix status, code and message, or name the rule
    that does."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    message: ClassVar[str] = "Bad request"
    status_rule: ClassVar[str | None] = None
    status_choice: ClassVar[str | None] = None  # a Choices field; None there: `status`
    code_rule: ClassVar[str | None] = None
    # The x-tgo-rules entry of the documented message; None: the class's own `message`.
    message_rule: ClassVar[str | None] = None
    # A message of the class's own that a page allows (error-codes.txt: a not-found message
    # "may include the specific resource type").
    documented_message: ClassVar[bool] = False

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        # A message given here is this occurrence's detail; a status given here is a hook's
        # deviation at the rule that raises it.
        self.detail = message
        self.status_override = status
        self.headers = dict(headers or {})
        super().__init__(message or self.message_rule or self.message)

    def wire(self, rules: Rules, choices: Choices) -> tuple[int, str, str]:
        """(status, code, message) as the mock sends them under `rules` and `choices`."""
        chosen = getattr(choices, self.status_choice) if self.status_choice else None
        status = (
            self.status_override
            if self.status_override is not None
            else int(chosen)
            if chosen is not None
            else int(getattr(rules, self.status_rule))
            if self.status_rule
            else self.status
        )
        code = str(getattr(rules, self.code_rule)) if self.code_rule else self.code
        # An occurrence's detail replaces the documented message (a resource type named).
        message = self.detail or (
            str(getattr(rules, self.message_rule)) if self.message_rule else self.message
        )
        return status, code, message

    @property
    def documented_code(self) -> bool:
        return self.code_rule is not None

    @property
    def message_is_documented(self) -> bool:
        return not self.detail and (self.message_rule is not None or self.documented_message)


# --- authentication and scopes ---------------------------------------------------------------


class MissingApiKey(MockError):
    status_rule = "unauthorized_status"
    code_rule = "missing_key_code"
    message_rule = "missing_key_message"


class InvalidApiKey(MockError):
    status_rule = "unauthorized_status"
    code_rule = "invalid_key_code"
    message_rule = "invalid_key_message"


class InsufficientScope(MockError):
    status_rule = "forbidden_status"
    code = "insufficient_scope"
    message = "The API key lacks the required scope"

    @classmethod
    def for_scope(cls, scope: str) -> InsufficientScope:
        return cls(f"The API key lacks the required scope: {scope}")


# --- reading the request (before validation) -------------------------------------------------


class NotAcceptable(MockError):
    status = 406
    code = "not_acceptable"
    message = "The Accept header must admit application/json"


class InvalidJson(MockError):
    status = 400
    status_choice = "unreadable_body_status"
    code = "invalid_json"
    message = "The request body is not valid JSON"


class InvalidMultipart(MockError):
    status = 400
    status_choice = "unreadable_body_status"
    code = "invalid_multipart"
    message = "The request body is not valid multipart/form-data"


class UnsupportedMediaType(MockError):
    status = 415
    code = "unsupported_media_type"
    message = "Unsupported content type"


class PayloadTooLarge(MockError):
    status = 413
    code = "payload_too_large"
    message = "The request body is larger than 10 MiB"


# --- validation of a well-formed body (422) ---------------------------------------------------


class BodyInvalid(MockError):
    """Base of the errors for a readable request whose fields are wrong."""

    status_rule = "invalid_body_status"


class ValidationError(BodyInvalid):
    code = "validation_error"
    message = "The request is invalid"


class MissingField(BodyInvalid):
    """A required field that is absent (or empty, under compat_empty_is_missing):
    missing_<field>, after error-codes.txt's missing_to."""

    code = "missing_field"
    message = "A required field is missing"

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is required")
        self.field = name

    def wire(self, rules: Rules, choices: Choices) -> tuple[int, str, str]:
        status, _, message = super().wire(rules, choices)
        return status, f"missing_{self.field}", message


class UnknownField(BodyInvalid):
    code = "unknown_field"
    message = "The request has a field the API does not know"


class ForeignField(BodyInvalid):
    code = "foreign_field"
    message = "The request has a field of another message type"


class InvalidMedia(BodyInvalid):
    code = "invalid_media"
    message = "The file is not of the message's type"


class InvalidPhone(BodyInvalid):
    code_rule = "invalid_phone_code"
    message_rule = "invalid_phone_message"


class SenderConflict(BodyInvalid):
    code = "sender_conflict"
    message = "Provide exactly one of sender_phone or sender_number_id"


class InvalidDuration(BodyInvalid):
    code = "invalid_duration"
    message = "duration must be an integer number of seconds in the allowed range"


class MissingMedia(BodyInvalid):
    code = "missing_media"
    message = "Image, voice and document messages need a file in the multipart field media"


# --- state rules ------------------------------------------------------------------------------


class NotFound(MockError):
    status = 404
    code_rule = "not_found_code"
    message_rule: ClassVar[str | None] = "not_found_message"
    # error-codes.txt: "The message may include the specific resource type".
    documented_message = True


class SenderNotFound(NotFound):
    status_choice = "unknown_sender_status"
    message_rule = None
    message = "Sender number not found"


class SenderNotActive(MockError):
    status = 422
    status_choice = "state_refusal_status"
    code = "sender_not_active"
    message_rule = "sender_not_active_message"


class AccountNotVerified(MockError):
    status = 422
    status_choice = "state_refusal_status"
    code = "account_not_verified"
    message_rule = "account_not_verified_message"


class ForeignSender(MockError):
    """Only under foreign_sender_id_forbidden: another account's sender id answered as
    forbidden, where the docs treat it as not existing (ERR-010)."""

    status = 403
    code = "forbidden"
    message = "The sender number belongs to another account"


class RecipientUnreachable(MockError):
    status = 422
    code = "recipient_unreachable"
    message = "The recipient cannot receive messages through TGO Connect"


class NoConnectAccount(MockError):
    status = 422
    code = "no_tgo_connect_account"
    message = "The phone has no TGO Connect account to receive the OTP"


class SenderExists(MockError):
    status = 409
    code = "sender_exists"
    message = "A sender number with this phone is already registered"


# --- routing and last resort ------------------------------------------------------------------


class RouteNotFound(NotFound):
    message_rule = None
    message = "Not found"


class MethodNotAllowed(MockError):
    status = 405
    code = "method_not_allowed"
    message = "Method not allowed"

    @classmethod
    def allowing(cls, allow: str) -> MethodNotAllowed:
        return cls(headers={"Allow": allow})


class HttpError(MockError):
    """Another refusal of Starlette's router, with its own status."""

    code = "http_error"


class InternalError(MockError):
    """Only the catch-all handler raises this; tests prove bad input never gets here."""

    status = 500
    code = "internal_error"
    message = "Internal server error"
