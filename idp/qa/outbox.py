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
        raise QAError(404, "not_found", _nothing_matches())
    return jsonify(messages[0].as_dict())


_FILTERS = ("to", "channel", "purpose", "since")


def _nothing_matches() -> str:
    """The 404's detail: the filters as understood, and what did arrive for ``to``."""
    given = {name: request.args[name] for name in _FILTERS if request.args.get(name)}
    if not given:
        return "No message matches: the outbox is empty."
    shown = ", ".join(f"{name}={value[:100]!r}" for name, value in given.items())
    text = f"No message matches {shown}."
    to = given.get("to")
    if to is None:
        return text
    arrived = operations.find_messages(to=to, limit=20)
    if not arrived:
        return f"{text} Nothing was sent to {to[:100]!r}."
    kinds = ", ".join(dict.fromkeys(f"{m.channel} {m.purpose}" for m in arrived))
    return f"{text} Sent to {to[:100]!r} (newest first): {kinds}."
