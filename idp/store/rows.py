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
