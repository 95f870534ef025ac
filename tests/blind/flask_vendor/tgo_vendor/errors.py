"""The API's error shape and the Flask error handlers that produce it.

Every error body is a JSON object with ``error`` (human-readable), ``code``
(machine-readable) and ``message`` (the same text as ``error``; the
troubleshooting page shows that field name).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# Exact wording from the troubleshooting page.
SENDER_NOT_ACTIVE = "The sender number is not active."
OWNER_NOT_VERIFIED = "يجب أن يكون صاحب الرقم موثقًا داخل TGO Connect قبل استخدام API الإرسال."


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra
        self.headers: dict[str, str] = {}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> ResponseReturnValue:
    body = {"error": message, "code": code, "message": message, **extra}
    return jsonify(body), status, headers or {}


# Codes and texts for errors raised by werkzeug/Flask themselves.
_HTTP_ERRORS = {
    400: ("bad_request", "Bad request"),
    404: ("not_found", "Resource not found"),
    405: ("method_not_allowed", "Method not allowed"),
    413: ("payload_too_large", "Request body is too large"),
    415: ("unsupported_media_type", "Unsupported Content-Type"),
}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def handle_api_error(exc: ApiError) -> ResponseReturnValue:
        return error_response(exc.status, exc.code, exc.message, exc.headers, **exc.extra)

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc: HTTPException) -> ResponseReturnValue:
        status = exc.code or 500
        code, message = _HTTP_ERRORS.get(
            status, (exc.name.lower().replace(" ", "_"), exc.name or "Error")
        )
        headers = {}
        allowed = getattr(exc, "valid_methods", None)
        if status == 405 and allowed:
            headers["Allow"] = ", ".join(allowed)
        return error_response(status, code, message, headers)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> ResponseReturnValue:
        log.exception("unhandled error")
        return error_response(500, "internal_error", "Internal server error")
