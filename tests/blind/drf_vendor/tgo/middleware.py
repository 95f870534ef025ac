"""Reject oversized request bodies before anything reads them."""

from django.http import JsonResponse

from .settings import MAX_REQUEST_BYTES

MAX_REQUEST_MB = MAX_REQUEST_BYTES // (1024 * 1024)


class BodySizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except (TypeError, ValueError):
            length = 0
        if length > MAX_REQUEST_BYTES:
            return JsonResponse(
                {
                    "error": f"Request body must be {MAX_REQUEST_MB} MB or less",
                    "code": "payload_too_large",
                },
                status=413,
            )
        return self.get_response(request)
