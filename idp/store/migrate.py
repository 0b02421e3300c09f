"""Bring a database to the current schema, once, however many servers start on it.

A server, ``init`` and ``mock-ohid db upgrade`` all call ``bring_to_head``:

- an empty database gets today's tables at once (``create_all``) and is stamped
  with the newest revision; a test proves the chain makes exactly these tables;
- a database with a version runs the revisions it lacks (Alembic);
- a database made before migrations existed (no version table) is recognised
  by its tables: the schema of ``b0fa761`` with or without the two changes
  made since (``users.email_key`` no longer unique, ``health_probes``) is
  stamped where it stands and upgraded; anything else is refused;
- a version this code does not know (made by a newer release) is refused.

The work runs in one transaction under a lock: PostgreSQL's advisory lock,
SQLite's write lock (``BEGIN IMMEDIATE``). A second server waits, then finds
the schema current. Refusals are ``SchemaRefused``: one line saying what to do.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import (
    Column,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    inspect,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.schema import CreateIndex

from .base import Base
from .schema import VERSION_TABLE, b0fa761_metadata, describe, describe_metadata

SCRIPT_DIR = Path(__file__).resolve().parent / "migrations"
BASE_REVISION = "0001_b0fa761"
# The newest revision in SCRIPT_DIR (a test holds them equal): a database already
# there is seen with one query, without loading Alembic at every start.
HEAD = "0004_debugger_secrets"
# Where a database made before migrations existed stands, by the changes it has.
_SHARED_EMAILS = "0002_shared_emails"
_HEALTH_PROBES = "0003_health_probes"
# pg_advisory_xact_lock's key: any constant that other software on the database does not use.
ADVISORY_LOCK_KEY = 0x6D6F636B6F686964  # "mockohid"
# How long a starting server waits for another one's upgrade of an SQLite file.
SQLITE_LOCK_WAIT_SECONDS = 600


# Alembic's version table, as its MigrationContext creates it.
_VERSION = Table(
    VERSION_TABLE,
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


class SchemaRefused(Exception):
    """The database's schema is not one this code can upgrade; the message says what to do."""


def alembic_config(connection: Connection | None = None):
    """An Alembic configuration on the package's script directory (and ``connection``)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPT_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def _scripts():
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest revision in the script directory."""
    return _scripts().get_current_head()


def _stored_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _where(connection: Connection) -> str:
    url = connection.engine.url
    if url.get_backend_name() == "sqlite":
        return url.database or "the in-memory database"
    return url.render_as_string(hide_password=True)


def _refuse_unknown_schema(connection: Connection) -> SchemaRefused:
    return SchemaRefused(
        f"database {_where(connection)} has tables but no schema version this mock-ohid "
        "knows (made before b0fa761 or by a commit between releases); back it up and point "
        "database.url at a new database (or start in a fresh instance directory)"
    )


def _refuse_newer(connection: Connection, revision: str) -> SchemaRefused:
    return SchemaRefused(
        f"database {_where(connection)} is at schema revision {revision!r}, which this "
        f"mock-ohid does not know (it knows up to {HEAD!r}): a newer release made "
        "it; run that release, or point database.url at a new database"
    )


def _known_revision(revision: str) -> bool:
    try:
        return _scripts().get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - Alembic raises several types for an unknown id
        return False


def _pre_migration_revision(connection: Connection) -> str:
    """Where a database without a version table stands, or ``SchemaRefused``.

    Known: b0fa761's tables, with ``users.email_key`` unique or a plain index,
    with or without ``health_probes``. A ``health_probes`` table beside a still
    unique email (a b0fa761 database started by a later commit) is dropped
    first: it holds no rows between requests, and revision 0003 makes it again.
    """
    found = describe(connection)
    metadata = b0fa761_metadata()
    expected = describe_metadata(metadata)
    codes = found.get("authorization_codes")
    code_indexes = expected["authorization_codes"]["indexes"]
    # Databases made before the code indexes shipped (they came a little before
    # b0fa761, created at start since): the same schema but for them.
    without_code_indexes = codes is not None and not codes["indexes"] & code_indexes
    if without_code_indexes:
        codes["indexes"] = codes["indexes"] | code_indexes
    probes = found.pop("health_probes", None)
    users = found.get("users")
    index = ("ix_users_email_key", ("email_key",))
    shared_emails = (
        users is not None and ("email_key",) not in users["uniques"] and index in users["indexes"]
    )
    if shared_emails:
        # Compared as b0fa761 had it; the stamp then skips revision 0002.
        users["uniques"] = {*users["uniques"], ("email_key",)}
        users["indexes"] = users["indexes"] - {index}
    if found != expected:
        raise _refuse_unknown_schema(connection)
    if without_code_indexes:
        for index in metadata.tables["authorization_codes"].indexes:
            connection.execute(CreateIndex(index))
    if probes is not None and probes != describe_metadata(_probe_metadata())["health_probes"]:
        raise _refuse_unknown_schema(connection)
    if not shared_emails:
        if probes is not None:
            connection.execute(text("DROP TABLE health_probes"))
        return BASE_REVISION
    return _HEALTH_PROBES if probes is not None else _SHARED_EMAILS


def _probe_metadata() -> MetaData:
    """``health_probes`` as the last commit before migrations made it (frozen)."""
    metadata = MetaData()
    Table(
        "health_probes",
        metadata,
        Column("id", String(32), primary_key=True),
        Column("payload", Text(), nullable=False),
    )
    return metadata


def _upgrade(connection: Connection) -> str:
    """Bring the database on ``connection`` (in a locked transaction) to head."""
    current = _stored_revision(connection)
    if current == HEAD:
        return f"at {HEAD}"
    from . import models  # noqa: F401 - registers the tables

    if current is None and not set(inspect(connection).get_table_names()) - {VERSION_TABLE}:
        # A fresh database (every test makes many): today's tables and the stamp, the
        # version table as Alembic makes it, without loading Alembic.
        Base.metadata.create_all(connection)
        _VERSION.create(connection, checkfirst=True)
        connection.execute(_VERSION.insert().values(version_num=HEAD))
        return f"created at {HEAD}"
    from alembic import command
    from alembic.migration import MigrationContext

    context = MigrationContext.configure(connection)
    head = HEAD
    if current is None:
        current = _pre_migration_revision(connection)
        context.stamp(_scripts(), current)
    if not _known_revision(current):
        raise _refuse_newer(connection, current)
    if current == head:
        return f"at {head}"
    command.upgrade(alembic_config(connection), "head")
    return f"upgraded from {current} to {head}"


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that no other upgrade runs beside."""
    with engine.connect() as connection:
        backend = connection.dialect.name
        if backend == "postgresql":
            with connection.begin():
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
                yield connection
        elif backend == "sqlite":
            with _sqlite_write_lock(connection):
                yield connection
        else:
            with connection.begin():
                yield connection


@contextmanager
def _sqlite_write_lock(connection: Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE: SQLite's write lock, held until the commit.

    Foreign keys are off meanwhile: a table copied by batch mode is dropped and
    renamed, and with them on, dropping ``users`` would delete every row that
    refers to it.
    """
    raw = connection.connection.driver_connection
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()
    level = raw.isolation_level
    raw.isolation_level = None
    try:
        deadline = time.monotonic() + SQLITE_LOCK_WAIT_SECONDS
        while True:
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                break
            except OperationalError as exc:
                connection.rollback()
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        try:
            yield
            violations = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if violations:
                raise RuntimeError(f"the upgrade broke foreign keys: {violations[:3]}")
        except BaseException:
            connection.rollback()
            raise
        connection.commit()
    finally:
        raw.isolation_level = level
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def bring_to_head(engine: Engine) -> str:
    """Make or upgrade the database to the current schema; says what it did.

    Raises ``SchemaRefused`` for a database this code cannot upgrade.
    """
    # A current database (every start but the first after an upgrade) takes no lock:
    # versions only move forward, so one read settles it.
    with engine.connect() as connection:
        if _stored_revision(connection) == HEAD:
            return f"at {HEAD}"
    with _locked(engine) as connection:
        return _upgrade(connection)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: no version table)."""
    with engine.connect() as connection:
        return _stored_revision(connection)


def describe_revision(engine: Engine) -> str:
    """Where the database stands, in a sentence (``mock-ohid db current``)."""
    with engine.connect() as connection:
        revision = _stored_revision(connection)
        tables = set(inspect(connection).get_table_names()) - {VERSION_TABLE}
    if revision == HEAD:
        return f"{revision} (current)"
    if revision is not None:
        if _known_revision(revision):
            return f"{revision} (behind {HEAD}: serve, init or db upgrade brings it there)"
        return f"{revision} (unknown here: made by a newer release of mock-ohid)"
    if not tables:
        return "empty (serve, init or db upgrade makes the tables)"
    return "no schema version (made before migrations: db upgrade tells whether it can adopt it)"
