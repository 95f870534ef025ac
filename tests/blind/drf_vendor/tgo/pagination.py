"""DRF PageNumberPagination, page size 4, ?page=N; malformed page numbers are a 400."""

from django.core.paginator import Paginator
from rest_framework import pagination

from .errors import ApiError, bad_request


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 4
    page_query_param = "page"
    page_size_query_param = None
    last_page_strings = ("last",)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        paginator = Paginator(queryset, self.page_size)
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            number = 1
        elif raw in self.last_page_strings:
            number = paginator.num_pages
        elif raw.isascii() and raw.isdigit() and raw.lstrip("0"):
            digits = raw.lstrip("0")
            # An absurdly long page number is certainly past the last page.
            number = int(digits) if len(digits) <= 18 else None
        else:
            raise bad_request("invalid_page", "page must be a positive integer")
        if number is None or number > paginator.num_pages:
            raise ApiError(404, "not_found", "Page not found")
        self.page = paginator.page(number)
        return list(self.page)
