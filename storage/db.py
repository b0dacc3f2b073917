"""Engine, transactions and migrations for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import ast
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

MIGRATIONS = Path(__file__).parent / "migrations"
# PostgreSQL advisory locks are (class, key) pairs: the class says what is locked, the key
# which bot (its schema), so bots in other schemas of the same database never wait on it.
LOCK_SETUP = 0x46530001  # migrations and the config sync at start
LOCK_LEADER = 0x46530002  # the active process (storage/leader.py)


class DatabaseError(Exception):
    """The database could not be reached or set up. `code` names the macro of
    bot/templates/replies/drift.md.j2 that tells it in Swedish, `values` fill it in."""

    def __init__(self, code: str, **values: str) -> None:
        super().__init__(code, values)
        self.code = code
        self.values = values


def make_engine(url: str, **kwargs: object) -> Engine:
    try:
        parsed = make_url(url)
    except Exception:
        raise DatabaseError("ogiltig_databasadress", adress=url) from None
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs
        )
        _sqlite_transactions(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_transactions(engine: Engine) -> None:
    """Let SQLAlchemy, not pysqlite, open transactions, and open them IMMEDIATE: writers then
    queue on the database lock instead of failing on a stale read (§ numbering relies on it)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # Write-ahead log: a commit is one append and one fsync instead of a rollback
        # journal's several, and readers never wait for the writer. synchronous=FULL keeps
        # every commit durable across a power cut, not just a crash.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def schema_key(connection: Connection) -> int:
    """This bot's advisory lock key on PostgreSQL: a hash of the schema it works in."""
    schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    return zlib.crc32(str(schema).encode()) & 0x7FFFFFFF


def lock_setup(connection: Connection) -> None:
    """Serialise start-up work (migrations, the config sync) between processes on one
    PostgreSQL database until the caller's transaction ends: two processes started at once
    would otherwise both create the same tables and rows, and one would fail."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:c, :k)"),
                           {"c": LOCK_SETUP, "k": schema_key(connection)})


class Database:
    def __init__(self, url: str, **engine_kwargs: object) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def migrate(self) -> None:
        """Bring the schema to the newest revision (run on every start). A store already
        there is left alone without loading alembic (12 MiB and half a second of every
        start-up)."""
        try:
            with self.engine.begin() as connection:
                lock_setup(connection)
                if _stamped(connection) == _heads():
                    return
                from alembic import command
                from alembic.config import Config as AlembicConfig

                cfg = AlembicConfig()
                cfg.set_main_option("script_location", str(MIGRATIONS))
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, "heads")  # each capability may add its own branch
        except Exception as exc:  # a fresh user needs the reason, not a traceback
            raise DatabaseError("databas_oförberedd", databas=self.safe_url,
                                fel=str(exc)) from exc

    @property
    def safe_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed as a whole or not at all."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def _stamped(connection: Connection) -> frozenset[str]:
    """The revisions alembic recorded in the store; none in a new one."""
    if not inspect(connection).has_table("alembic_version"):
        return frozenset()
    return frozenset(connection.execute(text("SELECT version_num FROM alembic_version"))
                     .scalars())


@lru_cache(maxsize=1)
def _heads() -> frozenset[str] | None:
    """The newest revision of every branch, read from the revision files as alembic does
    (`revision` and `down_revision` at module level); None, so that alembic decides, for
    anything this simple reading does not cover (depends_on, a computed value)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        values = _literals(path)
        revision, down = values.get("revision"), values.get("down_revision")
        if not isinstance(revision, str) or values.get("depends_on") is not None:
            return None
        downs = down if isinstance(down, tuple) else () if down is None else (down,)
        if not all(isinstance(d, str) for d in downs):
            return None
        revisions.add(revision)
        parents.update(downs)
    return frozenset(revisions - parents) or None


# A revision file's own header lines: `revision: str = "0012_polls"` and the like.
_HEADER = re.compile(r"^(revision|down_revision|depends_on)\s*(?::[^=\n]*)?=[ \t]*(.*?)\s*$",
                     re.MULTILINE)


def _literals(path: Path) -> dict[str, object]:
    """The literal values of a revision file's `revision`, `down_revision` and `depends_on`
    lines (Ellipsis for anything else, such as a value over several lines). Only these
    lines are parsed: the whole file's syntax tree cost most of a MiB of every start."""
    values: dict[str, object] = {}
    for name, source in _HEADER.findall(path.read_text(encoding="utf-8")):
        try:
            values[name] = ast.literal_eval(source)
        except (ValueError, SyntaxError):
            values[name] = ...
    return values


@contextmanager
def fresh_postgres_schema(admin_url: str, prefix: str) -> Iterator[str]:
    """A PostgreSQL schema nobody used before, as a URL whose search_path points at it;
    dropped afterwards. Tests and benchmarks get an empty store this way on a shared
    server without creating databases."""
    import uuid

    from sqlalchemy import text

    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    joiner = "&" if "?" in admin_url else "?"
    try:
        yield f"{admin_url}{joiner}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
