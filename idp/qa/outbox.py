"""The outbox as QA scripts read it: emails, texts and calls, newest first."""

from __future__ import annotations

from flask import jsonify, request

from ..clock import parse_instant
from ..delivery.outbox import CHANNELS
from ..extensions import db
from ..models import OutboxMessage
from .api import QAError, bp


def _filtered_query():
    query = db.select(OutboxMessage)
    to = request.args.get("to")
    if to:
        # Addresses match without regard to case; phone numbers as sent (E.164).
        query = query.where(db.func.lower(OutboxMessage.to) == to.strip().lower())
    channel = request.args.get("channel")
    if channel:
        if channel not in CHANNELS:
            raise QAError(
                400, "invalid_request", f"'channel' must be one of {', '.join(CHANNELS)}."
            )
        query = query.where(OutboxMessage.channel == channel)
    purpose = request.args.get("purpose")
    if purpose:
        query = query.where(OutboxMessage.purpose == purpose)
    since = request.args.get("since")
    if since:
        try:
            query = query.where(OutboxMessage.created_at >= parse_instant(since))
        except ValueError as exc:
            raise QAError(400, "invalid_request", f"'since': {exc}") from None
    return query.order_by(OutboxMessage.id.desc())


@bp.get("/outbox")
def list_outbox():
    """``?to=&channel=email|sms|voice&purpose=&since=`` — newest first."""
    messages = db.session.execute(_filtered_query().limit(500)).scalars()
    return jsonify([m.as_dict() for m in messages])


@bp.get("/outbox/latest")
def latest_outbox():
    message = db.session.execute(_filtered_query().limit(1)).scalar_one_or_none()
    if message is None:
        raise QAError(404, "not_found", "No message matches.")
    return jsonify(message.as_dict())
