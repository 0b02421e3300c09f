"""The QA clock: move the server's time for every time rule (SPEC §5.1)."""

from __future__ import annotations

from flask import jsonify

from . import operations
from .api import QAError, bp, check_types, json_body


@bp.get("/clock")
def read_clock():
    return jsonify(operations.clock_state())


@bp.post("/clock")
def move_clock():
    """``{advance: "91d"}`` moves forward (or back with "-1d"); ``{set: ISO-8601}`` jumps."""
    body = json_body()
    check_types(body, {"advance": str, "set": str})
    if ("advance" in body) == ("set" in body):
        raise QAError(400, "invalid_request", "Send exactly one of 'advance' or 'set'.")
    try:
        if "advance" in body:
            return jsonify(operations.advance_clock(body["advance"]))
        return jsonify(operations.set_clock(body["set"]))
    except operations.QAInputError as exc:
        raise QAError(400, "invalid_request", str(exc)) from None


@bp.delete("/clock")
def reset_clock():
    return jsonify(operations.reset_clock())
