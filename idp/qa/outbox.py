"""The outbox as QA scripts read it: emails, texts and calls, newest first."""

from __future__ import annotations

from flask import jsonify, request

from . import operations
from .api import QAError, bp


def _messages(limit: int):
    try:
        return operations.find_messages(
            to=request.args.get("to"),
            channel=request.args.get("channel"),
            purpose=request.args.get("purpose"),
            since=request.args.get("since"),
            limit=limit,
        )
    except operations.QAInputError as exc:
        raise QAError(400, "invalid_request", str(exc)) from None


@bp.get("/outbox")
def list_outbox():
    """``?to=&channel=email|sms|voice&purpose=&since=`` — newest first."""
    return jsonify([m.as_dict() for m in _messages(500)])


@bp.get("/outbox/latest")
def latest_outbox():
    messages = _messages(1)
    if not messages:
        raise QAError(404, "not_found", "No message matches.")
    return jsonify(messages[0].as_dict())
