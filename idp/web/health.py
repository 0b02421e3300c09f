"""``GET /healthz`` (SPEC §5.4): is the database reachable, is there a key to sign with."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from ..extensions import db, get_key_store

bp = Blueprint("health", __name__)

# ID tokens are signed with these; each needs a usable signing key.
SIGNING_ALGS = ("RS256", "ES256")


def database_status() -> str:
    """``ok``, or why the database cannot be used."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any driver error means "unreachable"
        db.session.rollback()
        return f"unreachable ({type(exc).__name__})"
    return "ok"


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
    """200 when the database and signing keys work; 503 naming what is broken."""
    database, keys = database_status(), keys_status()
    healthy = database == "ok" and keys == "ok"
    body = {"status": "ok" if healthy else "unavailable", "database": database, "keys": keys}
    return jsonify(body), 200 if healthy else 503
