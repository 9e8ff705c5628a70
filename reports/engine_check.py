"""The dashboards' SQL is PostgreSQL's (window functions, `generate_series`, `unnest`, upserts).

On the embedded SQLite database (`make run` with EMBEDDED=1 or without PostgreSQL) the pages
answer 503 with a sentence saying so, and the API the same in its JSON format, instead of a 500.
"""

from __future__ import annotations

from functools import wraps

from django.db import connection
from django.shortcuts import render

NEEDS_POSTGRESQL = (
    "The managers' dashboards need PostgreSQL; this server runs on the embedded SQLite database. "
    "Set DATABASE_URL to a PostgreSQL database (make run uses one when PostgreSQL answers on "
    "127.0.0.1:5432)."
)


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def needs_postgresql(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not on_postgresql():
            return render(request, "reports/needs_postgresql.html", {"message": NEEDS_POSTGRESQL}, status=503)
        return view(request, *args, **kwargs)

    return wrapped
