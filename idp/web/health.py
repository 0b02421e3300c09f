"""``GET /healthz`` (SPEC §5.4): can the database be read and written, is there a
key to sign with; and what a full disk or a read-only database looks like to a user.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Blueprint, current_app, jsonify
from sqlalchemy import bindparam, delete, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from ..extensions import get_key_store, get_settings
from ..store import db, execute_plain
from ..store.models import HealthProbe

bp = Blueprint("health", __name__)

# ID tokens are signed with these; each needs a usable signing key.
SIGNING_ALGS = ("RS256", "ES256")


# Random text (PostgreSQL would compress a repeated one) larger than a page.
PROBE_HEX_BYTES = 8192
_PROBE_INSERT = insert(HealthProbe)
_PROBE_DELETE = delete(HealthProbe).where(HealthProbe.id == bindparam("probe_id"))

# SQLite result codes and PostgreSQL SQLSTATEs of a database that takes no writes.
_FULL = ("SQLITE_FULL", "53100")
_READ_ONLY = ("SQLITE_READONLY", "25006")
_IO_ERROR = ("SQLITE_IOERR",)


def _sqlite_folder(database_url: str) -> tuple[str, str] | None:
    """(the SQLite file, its folder) as the user knows them: relative to where they started."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    shown = path if not path.is_absolute() else Path(os.path.relpath(path))
    if shown.parts and shown.parts[0] == "..":
        shown = path
    folder = str(shown.parent) if str(shown.parent) != "." else "the current folder"
    return str(shown), folder + ("/" if folder != "the current folder" else "")


def database_unwritable(exc: BaseException, database_url: str | None = None) -> str | None:
    """Why the database takes no writes, if ``exc`` says so (full disk, read-only); else None."""
    if not isinstance(exc, DBAPIError):
        return None
    database_url = database_url or get_settings().database.url
    orig = exc.orig
    code = str(getattr(orig, "sqlite_errorname", "") or getattr(orig, "sqlstate", "") or "")
    message = str(orig).lower()
    sqlite = _sqlite_folder(database_url)
    if code.startswith(_FULL) or "database or disk is full" in message:
        if sqlite:
            return f"the database cannot be written: free disk space under {sqlite[1]}"
        return "the database cannot be written: the database server's disk is full"
    if code.startswith(_READ_ONLY) or "readonly database" in message:
        if sqlite:
            return f"the database cannot be written: {sqlite[0]} is read-only"
        return "the database cannot be written: the database server is read-only"
    if code.startswith(_IO_ERROR) or "disk i/o error" in message:
        where = f" (is the disk under {sqlite[1]} full?)" if sqlite else ""
        return f"the database cannot be written: disk I/O error{where}"
    return None


def write_problem() -> str | None:
    """Write a row of several pages and delete it again; None when both commits work."""
    probe_id = secrets.token_hex(16)
    try:
        execute_plain(
            _PROBE_INSERT, {"id": probe_id, "payload": secrets.token_hex(PROBE_HEX_BYTES)}
        )
        db.session.commit()
        execute_plain(_PROBE_DELETE, {"probe_id": probe_id})
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        return database_unwritable(exc) or f"cannot be written ({type(exc).__name__})"
    return None


def database_status() -> str:
    """``ok``, or why the database cannot be read or written."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any driver error means "unreachable"
        db.session.rollback()
        return f"unreachable ({type(exc).__name__})"
    return write_problem() or "ok"


def keys_status() -> str:
    """``ok``, or which signing key is missing or unreadable."""
    # The clock object without its stored offset: this check must not need the database.
    moment = current_app.extensions["mock_ohid.clock"].now()
    store = get_key_store()
    for alg in SIGNING_ALGS:
        try:
            key = store.signing_key(alg, moment, required=False)
            if key is None:
                return f"no usable {alg} signing key"
            key.private_key()
        except Exception as exc:  # noqa: BLE001 - an unreadable key file, whatever the cause
            return f"no usable {alg} signing key ({exc})"
    return "ok"


@bp.get("/healthz")
def healthz():
    """200 when the database (read and write) and signing keys work; 503 naming what is broken."""
    database, keys = database_status(), keys_status()
    healthy = database == "ok" and keys == "ok"
    body = {"status": "ok" if healthy else "unavailable", "database": database, "keys": keys}
    return jsonify(body), 200 if healthy else 503
