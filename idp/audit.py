"""Audit events: what happened to an account, read by /_qa/events."""

from __future__ import annotations

from .extensions import db, now
from .models import AuditEvent, User


def record_event(kind: str, user: User | None = None, username: str | None = None, **detail):
    """Add an audit event to the session (committed with the operation)."""
    event = AuditEvent(
        kind=kind,
        user_id=user.id if user is not None else None,
        username=user.username if user is not None else username,
        detail=detail,
        created_at=now(),
    )
    db.session.add(event)
    return event
