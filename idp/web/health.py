"""``GET /healthz`` (SPEC §5.4): can the database be read and written, is there a
key to sign with; and what a full disk or a read-only database looks like to a user.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, current_app, jsonify

from ..extensions import get_key_store, get_settings
from ..store import qa as qa_store

bp = Blueprint("health", __name__)

# ID tokens are signed with these; each needs a usable signing key.
SIGNING_ALGS = ("RS256", "ES256")


# Random text (PostgreSQL would compress a repeated one) larger than a page.
PROBE_HEX_BYTES = 8192


def _sqlite_folder(database_url: str) -> tuple[str, str] | None:
    """(the SQLite file, its folder) as the user knows them: relative to where they started."""
    return qa_store.sqlite_folder(database_url)


def database_unwritable(exc: BaseException, database_url: str | None = None) -> str | None:
    """Why the database takes no writes, if ``exc`` says so (full disk, read-only); else None."""
    return qa_store.database_unwritable(exc, database_url or get_settings().database.url)


def write_problem() -> str | None:
    """Write a row of several pages and delete it again; None when both commits work."""
    return qa_store.probe_writes(
        secrets.token_hex(16), secrets.token_hex(PROBE_HEX_BYTES), get_settings().database.url
    )


def database_status() -> str:
    """``ok``, or why the database cannot be read or written."""
    problem = qa_store.unreachable_reason()
    if problem is not None:
        return f"unreachable ({problem})"
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
