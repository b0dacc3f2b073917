"""Import this before matrix-nio: nio's store imports peewee, and peewee imports psycopg
(PostgreSQL, 73 modules and libpq, ~9 MiB resident) only to name its error types. nio's
store is SQLite, so a Matrix bot on SQLite never needs psycopg; on PostgreSQL the
database layer loads it anyway (issue 19, "A lighter process")."""

from __future__ import annotations

import sys


def _peewee_without_psycopg() -> None:
    if "peewee" in sys.modules or "psycopg" in sys.modules:
        return  # too late to spare it, or it is loaded anyway
    # A None entry makes `import psycopg` raise ImportError, which peewee expects when
    # psycopg is not installed: its PostgreSQL classes are then unusable, nio uses none.
    sys.modules["psycopg"] = None  # type: ignore[assignment]
    try:
        import peewee  # noqa: F401
    finally:
        del sys.modules["psycopg"]


_peewee_without_psycopg()
