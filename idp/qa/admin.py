"""QA housekeeping: reset to the seeded state, and the audit events."""

from __future__ import annotations

from flask import jsonify, request
from pydantic import ConfigDict

from ..bootstrap import reset_data
from ..clock import parse_instant
from ..extensions import get_clock
from ..lifecycle.accounts import find_by_username
from ..store import qa as qa_store
from .api import bp, json_body
from .schemas import SINCE, QAQuery, QARequest, parse


class ResetRequest(QARequest):
    """``POST /_qa/reset``: an empty object (changes are sent as JSON only)."""

    model_config = ConfigDict(json_schema_extra={"maxProperties": 0})


class EventFilters(QAQuery):
    """``GET /_qa/events``: each filter given narrows the events."""

    user: str = None
    kind: str = None
    since: SINCE = None


@bp.post("/reset")
def reset():
    """Empty the database back to the seeded state (clients, demo users); the clock resets."""
    parse(ResetRequest, json_body())
    report = reset_data()
    # The clock's row went with the others; this worker's offset follows at once.
    get_clock().reset()
    return jsonify(
        reset=True,
        clients=[c.client_id for c in report.clients],
        demo_users=[u.username for u in report.demo_users],
    )


def find_events(user: str | None = None, kind: str | None = None, since: str | None = None):
    """Audit events matching every filter given (checked ``EventFilters``), newest first."""
    account = find_by_username(user) if user else None
    return qa_store.find_audit_events(
        user=account,
        username=user if account is None else None,
        kind=kind,
        since=parse_instant(since) if since is not None else None,
    )


@bp.get("/events")
def events():
    """``?user=&kind=&since=`` — audit events, newest first."""
    rows = find_events(**parse(EventFilters, request.args.to_dict()))
    return jsonify([row.as_dict() for row in rows])
