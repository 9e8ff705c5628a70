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
