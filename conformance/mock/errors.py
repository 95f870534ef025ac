"""The mock's domain errors: one class per error, each knowing its status, code and message.

Rules raise these; the HTTP layer renders them in the error envelope (views.error_envelope).
`documented_code` / `documented_message` say whether the docs fix the wire value (error-codes.txt
and errors-and-troubleshooting.txt); only undocumented values may change under the
compat_own_wording fault. Design reading 3 lists the codes.
"""

from __future__ import annotations

from typing import ClassVar


class MockError(Exception):
    """A request the mock refuses. Subclasses fix status, code and message."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    message: ClassVar[str] = "Bad request"
    documented_code: ClassVar[bool] = False
    documented_message: ClassVar[bool] = False

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        # Overrides exist for the fault switches, which change one wire value at the rule
        # that raises the error instead of copying the class.
        self.wire_status = self.status if status is None else status
        self.wire_code = self.code if code is None else code
        self.wire_message = self.message if message is None else message
        self.headers = dict(headers or {})
        super().__init__(self.wire_message)


# --- authentication and scopes ---------------------------------------------------------------


class MissingApiKey(MockError):
    status = 401
    code = "missing_api_key"
    message = "API key required"
    documented_code = True
    documented_message = True


class InvalidApiKey(MockError):
    status = 401
    code = "invalid_api_key"
    message = "Invalid API key"
    documented_code = True
    documented_message = True


class InsufficientScope(MockError):
    status = 403
    code = "insufficient_scope"
    message = "The API key lacks the required scope"

    @classmethod
    def for_scope(cls, scope: str, *, status: int | None = None) -> InsufficientScope:
        return cls(f"The API key lacks the required scope: {scope}", status=status)


# --- reading the request (before validation) -------------------------------------------------


class InvalidJson(MockError):
    status = 400
    code = "invalid_json"
    message = "The request body is not valid JSON"


class InvalidMultipart(MockError):
    status = 400
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
    """Base of the errors for a readable request whose fields are wrong (reading 2: 422)."""

    status = 422


class ValidationError(BodyInvalid):
    code = "validation_error"
    message = "The request is invalid"


class InvalidPhone(BodyInvalid):
    code = "invalid_phone"
    message = "Invalid E.164 phone number format"
    documented_code = True
    documented_message = True


class SenderConflict(BodyInvalid):
    code = "sender_conflict"
    message = "Provide exactly one of sender_phone or sender_number_id"


class InvalidDuration(BodyInvalid):
    code = "invalid_duration"
    message = "duration must be an integer number of seconds from 1 to 300"


class MissingMedia(BodyInvalid):
    code = "missing_media"
    message = "Image, voice and document messages need a file in the multipart field media"


# --- state rules ------------------------------------------------------------------------------


class NotFound(MockError):
    status = 404
    code = "not_found"
    message = "Resource not found"
    documented_code = True
    # error-codes.txt: "The message may include the specific resource type".
    documented_message = True


class SenderNotFound(NotFound):
    message = "Sender number not found"


class SenderNotActive(MockError):
    status = 422
    code = "sender_not_active"
    message = "The sender number is not active."
    documented_message = True


class AccountNotVerified(MockError):
    status = 422
    code = "account_not_verified"
    message = "يجب أن يكون صاحب الرقم موثقًا داخل TGO Connect قبل استخدام API الإرسال."
    documented_message = True


class RecipientUnreachable(MockError):
    status = 422
    code = "recipient_unreachable"
    message = "The recipient cannot receive messages through TGO Connect"


class SenderExists(MockError):
    status = 409
    code = "sender_exists"
    message = "A sender number with this phone is already registered"


# --- routing and last resort ------------------------------------------------------------------


class RouteNotFound(NotFound):
    message = "Not found"


class MethodNotAllowed(MockError):
    status = 405
    code = "method_not_allowed"
    message = "Method not allowed"

    @classmethod
    def allowing(cls, allow: str) -> MethodNotAllowed:
        return cls(headers={"Allow": allow})


class InternalError(MockError):
    """Only the catch-all handler raises this; tests prove bad input never gets here."""

    status = 500
    code = "internal_error"
    message = "Internal server error"
