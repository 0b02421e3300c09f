"""Audit events: what happened to an account, read by /_qa/events."""

from __future__ import annotations

from .extensions import now
from .store import accounts as store
from .store.models import AuditEvent, User


def _event_values(kind: str, user: User | None, username: str | None, detail: dict) -> dict:
    return {
        "kind": kind,
        "user_id": user.id if user is not None else None,
        "username": user.username if user is not None else username,
        "detail": detail,
        "created_at": now(),
    }


def record_event(kind: str, user: User | None = None, username: str | None = None, **detail):
    """Write an audit event in the current transaction (committed with the unit of work).

    A plain INSERT: the event is never read back by the request that writes it,
    so it needs no row object and no unit-of-work flush.
    """
    store.insert_event(_event_values(kind, user, username, detail))


def add_event(kind: str, user: User | None = None, **detail) -> AuditEvent:
    """Add an audit event as a row object, for a caller that changes it before the commit."""
    event = AuditEvent(**_event_values(kind, user, None, detail))
    store.add(event)
    return event
