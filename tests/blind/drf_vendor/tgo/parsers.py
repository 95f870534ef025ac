"""JSON parser that also treats pathological input (absurd nesting) as a parse error."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except (RecursionError, ValueError, UnicodeError) as exc:
            raise ParseError("JSON parse error") from exc
