"""Logging guard: patient data never reaches application logs."""

from __future__ import annotations

import logging


class NoPHIFilter(logging.Filter):
    """Drops request objects and arguments from records before they are formatted.

    Django's request logger attaches the request (with its POST body) to error records;
    handlers that format `record.request` could print patient data. We keep the message
    (method and path, which use public UUIDs) and drop the rest.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        return not getattr(record, "phi", False)


class NoQueryStringFilter(logging.Filter):
    """Cuts the query string off request lines in the web log (runserver's `django.server`).

    Patient searches put names, dates of birth and MRNs in `?q=`; the path (public UUIDs) stays.
    gunicorn's access log is configured the same way in docker-compose.yml (%(U)s, no %(q)s).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(_cut(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str) and "?" in record.msg:
            record.msg = _cut(record.msg)
        return True


def _cut(text: str) -> str:
    # "GET /intake/patients/?q=Smith HTTP/1.1" -> "GET /intake/patients/ HTTP/1.1"
    import re

    return re.sub(r"\?[^\s\"]*", "", text)
