"""Error type and exception handlers producing the documented error body.

Every error answers ``{"error": <human text>, "code": <machine code>, "message": <human text>}``:
``error`` and ``code`` are the documented format, ``message`` repeats ``error`` for clients
written against the troubleshooting page, whose examples read ``message``.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger("tgo_vendor")


class ApiError(Exception):
    """An API error with an HTTP status, a machine-readable code and a human message."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message


def error_response(status_code: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        status_code=status_code,
        content={"error": message, "code": code, "message": message},
    )


# Standard HTTP errors raised by the framework itself (routing, body parsing).
_HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_body", "The request body could not be parsed"),
    404: ("not_found", "Resource not found"),
    405: ("method_not_allowed", "Method not allowed"),
    413: ("payload_too_large", "Request body is too large"),
    415: ("unsupported_media_type", "Unsupported Content-Type"),
}


async def _api_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status_code, exc.code, exc.message)


async def _http_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 400:
        # Malformed bodies are "invalid request body" errors, documented as 422.
        status = 422
    code, message = _HTTP_ERRORS.get(exc.status_code, ("http_error", "Request failed"))
    response = error_response(status, code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _validation_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    field = ""
    if errors:
        loc = [str(part) for part in errors[0].get("loc", ()) if part not in ("body", "query")]
        field = ".".join(loc)
    message = f"Invalid value for {field}" if field else "Invalid request"
    return error_response(422, "invalid_request", message)


async def _unexpected_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    logger.error("unexpected error", exc_info=exc)
    return error_response(500, "internal_error", "Internal server error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_error_handler)
    app.add_exception_handler(Exception, _unexpected_error_handler)
