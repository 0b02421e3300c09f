"""Row helpers for the hot paths: plain statements on the session's connection,
plain INSERTs of new rows, and a per-request memo of rows already read."""

from __future__ import annotations

from flask import g
from sqlalchemy import insert, inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from .base import db
from .units import REQUEST_MEMOS, note_write


def request_memo(kind: str) -> dict:
    """A dict kept for the current request only (emptied when the next one begins).

    Holding rows here also keeps them in the session's identity map, which only
    holds them weakly: read once, they are not read again in the same request.
    """
    memos = g.setdefault(REQUEST_MEMOS, {})
    return memos.setdefault(kind, {})


def execute_plain(statement, params=None):
    """Run a Core statement on the session's connection, in its transaction.

    No autoflush and no ORM bookkeeping: for the single-row UPDATEs and
    one-column reads of a sign-in's hot path, where ``session.execute`` costs
    several times as much. The caller refreshes any row object it changed.
    """
    if statement.is_dml:
        note_write()
    return db.session.connection().execute(statement, params)


# One INSERT per model, built once: SQLAlchemy caches a statement's compiled form
# by the statement object.
_INSERTS: dict[type, object] = {}


def insert_row(row):
    """Write the new row object ``row`` with a plain INSERT and keep it in the session
    as a stored, loaded row.

    For the rows every login creates (the interaction, the SSO session): a
    unit-of-work flush costs several times the INSERT. Attributes left unset are
    NULL, or get their column default and are read back if used. Not committed.
    """
    model = type(row)
    statement = _INSERTS.get(model)
    if statement is None:
        statement = _INSERTS[model] = insert(model)
    mapper = inspect(model)
    state = vars(row)
    values = {
        attribute.columns[0].key: state[attribute.key]
        for attribute in mapper.column_attrs
        if attribute.key in state
    }
    result = execute_plain(statement, values)
    for column, value in zip(mapper.primary_key, result.inserted_primary_key, strict=True):
        key = mapper.get_property_by_column(column).key
        if key not in state:
            set_committed_value(row, key, value)
    for attribute in mapper.column_attrs:
        column = attribute.columns[0]
        if attribute.key not in state and column.default is None and column.server_default is None:
            # Stored as NULL: known without reading it back.
            set_committed_value(row, attribute.key, None)
    make_transient_to_detached(row)
    db.session.add(row)
    return row


def read_plain(statement, params=None):
    """``execute_plain`` for a read that must see this request's unsaved changes, as
    an ORM query would: pending rows are flushed first (unless autoflush is off)."""
    session = db.session()
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()
    return session.connection().execute(statement, params)


def held_row(row):
    """``row`` if it is still a row of the current session, else None."""
    return row if row is not None and inspect(row).persistent else None


def add(row) -> None:
    """Add a new row to the unit of work (written at its next flush)."""
    db.session.add(row)


def add_now(row) -> None:
    """Add a new row and write it at once, so that it has its id (a link names it)."""
    db.session.add(row)
    db.session.flush()


def remove(row) -> None:
    """Delete ``row`` with the unit of work."""
    db.session.delete(row)


def reread(row, attributes=None) -> None:
    """Read ``row`` (or some of its attributes) again from the database: another
    request may have changed it since it was read."""
    db.session.refresh(row, None if attributes is None else list(attributes))


def write_pending() -> None:
    """Send the unit's pending rows and changes to the database now (not committed): a
    new row needs its id before a row that names it, and plain reads do not flush."""
    db.session.flush()
