"""Every error is {"error": <human-readable text>, "code": <machine-readable code>}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

# Texts the docs give verbatim.
API_KEY_REQUIRED = "API key required"
INVALID_API_KEY = "Invalid API key"
RESOURCE_NOT_FOUND = "Resource not found"
SENDER_NOT_ACTIVE = "The sender number is not active."
OWNER_NOT_VERIFIED = "يجب أن يكون صاحب الرقم موثقًا داخل TGO Connect قبل استخدام API الإرسال."


class ApiError(exceptions.APIException):
    """An API error with an explicit status, code and text."""

    def __init__(self, status_code: int, code: str, message: str):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.message = message


class MissingApiKey(exceptions.NotAuthenticated):
    default_detail = API_KEY_REQUIRED
    default_code = "missing_api_key"


class InvalidApiKey(exceptions.AuthenticationFailed):
    default_detail = INVALID_API_KEY
    default_code = "invalid_api_key"


def bad_request(code: str, message: str) -> ApiError:
    return ApiError(status.HTTP_400_BAD_REQUEST, code, message)


def envelope(message: str, code: str) -> dict:
    return {"error": str(message), "code": str(code)}


def _first_detail(detail):
    """First ErrorDetail of a (nested) ValidationError detail, in field declaration order."""
    if isinstance(detail, dict):
        for value in detail.values():
            found = _first_detail(value)
            if found is not None:
                return found
        return None
    if isinstance(detail, list):
        for value in detail:
            found = _first_detail(value)
            if found is not None:
                return found
        return None
    return detail


def _classify(exc, context) -> tuple[int, str, str] | None:
    if isinstance(exc, ApiError):
        return exc.status_code, exc.error_code, exc.message
    if isinstance(exc, exceptions.ValidationError):
        first = _first_detail(exc.detail)
        if first is None:
            return 400, "invalid_request", "Invalid request"
        code = getattr(first, "code", None) or "invalid_request"
        return 400, code, str(first)
    if isinstance(exc, exceptions.ParseError):
        request = context.get("request")
        content_type = (getattr(request, "content_type", "") or "").lower()
        if "json" in content_type:
            return 400, "invalid_json", "Malformed JSON request body"
        return 400, "malformed_request", "Malformed request body"
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return (
            415,
            "unsupported_media_type",
            "Content-Type must be application/json or multipart/form-data",
        )
    if isinstance(exc, exceptions.MethodNotAllowed):
        return 405, "method_not_allowed", "Method not allowed"
    if isinstance(exc, MissingApiKey | InvalidApiKey):
        return 401, exc.default_code, exc.default_detail
    if isinstance(exc, exceptions.NotAuthenticated):
        return 401, "missing_api_key", API_KEY_REQUIRED
    if isinstance(exc, exceptions.AuthenticationFailed):
        return 401, "invalid_api_key", INVALID_API_KEY
    if isinstance(exc, exceptions.PermissionDenied):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "insufficient_scope"
        return 403, code, str(exc.detail)
    if isinstance(exc, exceptions.NotFound | Http404):
        return 404, "not_found", RESOURCE_NOT_FOUND
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        first = _first_detail(exc.detail)
        return exc.status_code, code, str(first if first is not None else exc.detail)
    if isinstance(exc, RequestDataTooBig):
        return 413, "payload_too_large", "Request body is too large"
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return 400, "malformed_request", "Too many fields in request body"
    if isinstance(exc, SuspiciousOperation):
        return 400, "bad_request", "Bad request"
    if isinstance(exc, DjangoPermissionDenied):
        return 403, "forbidden", "Forbidden"
    return None


def exception_handler(exc, context):
    """DRF EXCEPTION_HANDLER: render every known error in the documented envelope."""
    classified = _classify(exc, context)
    if classified is None:
        return None  # unexpected: Django's handler500 answers (and logs it)
    status_code, code, message = classified
    headers = {}
    if status_code == 401:
        headers["WWW-Authenticate"] = 'ApiKey header="X-Api-Key"'
    if status_code == 405 and isinstance(exc, exceptions.MethodNotAllowed):
        view = context.get("view")
        if view is not None:
            allowed = [m for m in view.allowed_methods if m != "OPTIONS"]
            headers["Allow"] = ", ".join(allowed)
    return Response(envelope(message, code), status=status_code, headers=headers)


# Django-level handlers (requests that never reach a DRF view).
def handler400(request, exception=None):
    return JsonResponse(envelope("Bad request", "bad_request"), status=400)


def handler403(request, exception=None):
    return JsonResponse(envelope("Forbidden", "forbidden"), status=403)


def handler404(request, exception=None):
    return JsonResponse(envelope(RESOURCE_NOT_FOUND, "not_found"), status=404)


def handler500(request):
    return JsonResponse(envelope("Internal server error", "internal_error"), status=500)
