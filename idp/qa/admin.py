"""QA housekeeping: reset to the seeded state, and the audit events."""

from __future__ import annotations

from flask import jsonify, request

from ..bootstrap import reset_data
from ..clock import parse_instant
from ..extensions import db, get_clock
from ..lifecycle.accounts import find_by_username
from ..models import AuditEvent
from .api import QAError, bp, check_types, json_body


@bp.post("/reset")
def reset():
    """Empty the database back to the seeded state (clients, demo users); the clock resets."""
    check_types(json_body(), {})
    report = reset_data()
    # The clock's row went with the others; this worker's offset follows at once.
    get_clock().reset()
    return jsonify(
        reset=True,
        clients=[c.client_id for c in report.clients],
        demo_users=[u.username for u in report.demo_users],
    )


@bp.get("/events")
def events():
    """``?user=&kind=&since=`` — audit events, newest first."""
    query = db.select(AuditEvent)
    username = request.args.get("user")
    if username:
        user = find_by_username(username)
        if user is not None:
            query = query.where(
                (AuditEvent.user_id == user.id) | (AuditEvent.username == user.username)
            )
        else:
            query = query.where(db.func.lower(AuditEvent.username) == username.lower())
    kind = request.args.get("kind")
    if kind:
        query = query.where(AuditEvent.kind == kind)
    since = request.args.get("since")
    if since is not None:
        try:
            query = query.where(AuditEvent.created_at >= parse_instant(since))
        except ValueError as exc:
            raise QAError(400, "invalid_request", f"'since': {exc}") from None
    rows = db.session.execute(query.order_by(AuditEvent.id.desc()).limit(1000)).scalars()
    return jsonify([row.as_dict() for row in rows])
