"""Create the PostgreSQL database that DATABASE_URL names, if the server has none of that name.

    python manage.py ensure_database

`make run`, `make test` and the production entry point run it before `migrate`, so a fresh
machine (PostgreSQL running, no database created) needs no manual step. It connects to the
server's maintenance database (`postgres`) with the same credentials. The embedded SQLite file
needs nothing: SQLite creates it on first connection.
"""

from __future__ import annotations

from typing import Any

import psycopg2
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg2 import sql


class Command(BaseCommand):
    help = "Create the PostgreSQL database named by DATABASE_URL when it does not exist yet."

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        if "postgresql" not in db["ENGINE"]:
            self.stdout.write(f"Embedded database ({db['ENGINE'].rsplit('.', 1)[-1]}): nothing to create.")
            return
        name = db["NAME"]
        params: dict[str, Any] = {
            "dbname": "postgres",
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
            "connect_timeout": 5,
        }
        where = f"{params['host'] or 'local socket'}:{params['port'] or 5432}"
        try:
            conn = psycopg2.connect(**{k: v for k, v in params.items() if v is not None})
        except psycopg2.OperationalError as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CommandError(
                f"PostgreSQL at {where} is not reachable ({first_line}). Start the server "
                "(pg_ctlcluster <version> main start) or point DATABASE_URL at a running one."
            ) from exc
        conn.autocommit = True  # CREATE DATABASE cannot run inside a transaction
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                if cursor.fetchone():
                    self.stdout.write(f"Database {name!r} exists on {where}.")
                    return
                try:
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                except psycopg2.errors.DuplicateDatabase:
                    pass  # another process created it between our check and our CREATE
                except psycopg2.Error as exc:
                    raise CommandError(
                        f"Could not create database {name!r} on {where}: {exc}".strip()
                    ) from exc
        finally:
            conn.close()
        self.stdout.write(self.style.SUCCESS(f"Created database {name!r} on {where}."))
