"""API input limits (DRF settings point here): page size, offset, JSON nesting.

Kept apart from infusion_rcm.common.api, which imports DRF's views: DRF imports these classes
while it builds APIView itself.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import exceptions, pagination, parsers
from rest_framework.request import Request


class CappedLimitOffsetPagination(pagination.LimitOffsetPagination):
    """Limit/offset with a ceiling: `?limit=` above API_MAX_PAGE_SIZE gets that many rows, and an
    offset past any real table is clamped (PostgreSQL refuses an OFFSET beyond bigint with a 500)."""

    max_offset = 10**9

    @property
    def max_limit(self) -> int:  # type: ignore[override]  # a setting, read per request for tests
        return int(settings.API_MAX_PAGE_SIZE)

    def get_offset(self, request: Request) -> int:
        return min(super().get_offset(request), self.max_offset)


class BoundedJSONParser(parsers.JSONParser):
    """DRF's JSON parser with a nesting limit: deeply nested input is a 400, never a RecursionError."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("The JSON is nested too deeply.") from None
        if json_depth_exceeds(data, int(settings.API_MAX_JSON_DEPTH)):
            raise exceptions.ParseError(
                f"The JSON is nested deeper than {settings.API_MAX_JSON_DEPTH} levels."
            )
        return data


def json_depth_exceeds(data: Any, limit: int) -> bool:
    """Iterative (no recursion of our own): True when lists/objects nest more than `limit` deep."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
