"""The database behind the store: its URL, its engine's setup, its schema at start,
and the errors the floors above may name without importing SQLAlchemy."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from sqlalchemy import event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DataError, SQLAlchemyError

from .base import db

# Any failure of the database, for a caller that answers it in one line.
DatabaseError = SQLAlchemyError
# A value the database refused (PostgreSQL's NUL in text, an out-of-range number).
RefusedValue = DataError


class BadDatabaseURL(ValueError):
    """``database.url`` names no usable database (malformed, or a driver not installed)."""


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL, None for another database or an in-memory one.

    Raises BadDatabaseURL for a malformed URL.
    """
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - SQLAlchemy raises several types for bad URLs
        raise BadDatabaseURL(f"not a valid SQLAlchemy URL: {url!r}") from None
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def database_url(url: str) -> str:
    """``url`` with a relative SQLite path resolved against the current directory, the
    file made (owner-only) if it does not exist yet."""
    file = sqlite_file(url)
    if file is None or str(file).startswith("file:"):
        # Not a file, or an SQLite URI filename (``?uri=true``) that names its own path.
        return url
    path = file if file.is_absolute() else Path.cwd() / file
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # It holds TOTP secrets and password hashes: readable by the owner only
        # (SQLite gives its -wal and -shm files the same mode).
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    return make_url(url).set(database=str(path)).render_as_string(hide_password=False)


def engine_options(url: str) -> dict:
    """Flask-SQLAlchemy's engine options for ``url``."""
    # A server connection can drop while pooled; a SQLite file cannot, and
    # pinging it costs a statement each time a commit hands the connection back.
    return {"pool_pre_ping": sqlite_file(url) is None}


def init_store(app) -> None:
    """Bind the store to ``app`` (its ``SQLALCHEMY_DATABASE_URI``); SQLite files get
    WAL and the pragmas every connection needs.

    Raises BadDatabaseURL when the engine cannot be made (a driver not installed).
    """
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        db.init_app(app)
    except (ImportError, ArgumentError) as exc:
        shown = make_url(url).render_as_string(hide_password=True)
        raise BadDatabaseURL(f"cannot use {shown!r} ({exc})") from None
    if sqlite_file(url) is not None:
        with app.app_context():
            _sqlite_pragmas(db.engine)


def _sqlite_pragmas(engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=10000")
        _use_wal(cursor)
        # WAL with NORMAL sync stays consistent after a crash; only the last
        # commits may be lost on power failure, and each commit skips an fsync.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _use_wal(cursor, wait_seconds: float = 10.0) -> None:
    """Put the file in WAL mode (it stays so), waiting out another process doing the same.

    Two servers starting on a new file both switch it: the switch needs the file
    to itself, and SQLite answers "database is locked" at once, without its busy
    handler, when the other holds a lock (waiting could deadlock). A file already
    in WAL is seen with a read and left alone.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def is_nul_refusal(exc: DataError) -> bool:
    """Whether the database refused a NUL character in text (bad input, not a fault)."""
    # PostgreSQL stores no NUL character in text, and its driver refuses one even
    # as a query parameter; SQLite takes it. Either way it is bad input.
    return "NUL" in str(exc.orig) and "0x00" in str(exc.orig)


def schema_to_head() -> str:
    """Bring the app's database to the current schema (see ``store.migrate``)."""
    from .migrate import bring_to_head

    return bring_to_head(db.engine)


def schema_revision() -> str:
    """The app's database's schema revision, said in a sentence."""
    from .migrate import describe_revision

    return describe_revision(db.engine)


def database_is_new() -> bool:
    """Whether the app's database has no tables of mock-ohid yet."""
    return not inspect(db.engine).has_table("users")


def release_connections() -> None:
    """Close every pooled connection (before the database's files go away)."""
    db.engine.dispose()
