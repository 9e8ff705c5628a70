"""Response hygiene shared by every app: no caching of what we serve, oversize bodies refused clearly."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers, patch_cache_control

# Static assets (hashed names, no patient data) may be cached; everything else is a patient page,
# an API answer or a generated file (PDF, 837, 270, CSV) and must not be kept.
_CACHEABLE_PREFIXES = ("/static/", "/healthz")


class NoStoreMiddleware:
    """`Cache-Control: no-store` (and `private`) on every dynamic response.

    HIPAA 164.312: a shared or back-button cache must not hold PHI after the user signs out.
    A view's own `no-store` is kept; nothing here ever loosens caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not request.path.startswith(_CACHEABLE_PREFIXES):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
            response.headers.setdefault("Pragma", "no-cache")
        return response


class RequestSizeLimitMiddleware:
    """Refuse a declared body over DATA_UPLOAD_MAX_MEMORY_SIZE with a 413 the caller can read.

    Django raises RequestDataTooBig only when a form body is read, and answers it with a bare
    HTML 400. File uploads (multipart) are limited by FILE_UPLOAD_MAX_BYTES instead, checked here
    on the declared length too, so a 40 MB upload is refused before it is read.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = (request.content_type or "").startswith("multipart/")
        limit = settings.FILE_UPLOAD_MAX_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return too_large_response(request, limit)
        return self.get_response(request)


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    megabytes = f"{limit / (1024 * 1024):.1f}".rstrip("0").rstrip(".")
    message = f"The request is larger than {megabytes} MB. Send a smaller file or split it."
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "request.too_large", "message": message, "extra": {"limit_bytes": limit}}, status=413
        )
    body = render_to_string("errors/413.html", {"message": message}, request=request)
    return HttpResponse(body, status=413)


QUEUE_DOWN_MESSAGE = (
    "The job queue is not answering, so this work was not queued. Try again in a few minutes; "
    "if it keeps happening, tell your administrator that Redis or the Celery broker is down."
)


class QueueUnavailableMiddleware:
    """A request whose work could not be queued (the broker is down) answers 503 with a sentence.

    Views that can refuse before writing anything (batch build) catch the broker error themselves
    and say so; everywhere else (a build, a scrub or an eligibility check queued after commit) the
    error reaches here: the page or the API says what happened instead of a 500. kombu's
    OperationalError is what Celery raises when it cannot publish.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        from kombu.exceptions import OperationalError

        if not isinstance(exception, OperationalError):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": "queue.unavailable", "message": QUEUE_DOWN_MESSAGE, "extra": {}}, status=503
            )
        body = render_to_string("errors/503_queue.html", {"message": QUEUE_DOWN_MESSAGE}, request=request)
        return HttpResponse(body, status=503)
