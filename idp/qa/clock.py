"""The QA clock: move the server's time for every time rule (SPEC §5.1)."""

from __future__ import annotations

from flask import jsonify

from ..clock import check_in_range, parse_duration, parse_instant
from ..clock_store import save_clock_offset
from ..extensions import get_clock
from ..lifecycle.audit import record_event
from .api import QAError, bp, check_types, json_body


def clock_state() -> dict:
    clock = get_clock()
    return {
        "now": clock.now().isoformat(),
        "offset_seconds": clock.offset.total_seconds(),
        "moved": clock.is_moved,
    }


@bp.get("/clock")
def read_clock():
    return jsonify(clock_state())


@bp.post("/clock")
def move_clock():
    """``{advance: "91d"}`` moves forward (or back with "-1d"); ``{set: ISO-8601}`` jumps."""
    body = json_body()
    check_types(body, {"advance": str, "set": str})
    if ("advance" in body) == ("set" in body):
        raise QAError(400, "invalid_request", "Send exactly one of 'advance' or 'set'.")
    clock = get_clock()
    try:
        if "advance" in body:
            delta = parse_duration(body["advance"])
            check_in_range(clock.now() + delta)
            clock.advance(delta)
        else:
            clock.set(check_in_range(parse_instant(body["set"])))
    except (ValueError, OverflowError) as exc:
        raise QAError(400, "invalid_request", str(exc)) from None
    record_event("clock_moved", offset_seconds=clock.offset.total_seconds())
    save_clock_offset(clock)
    return jsonify(clock_state())


@bp.delete("/clock")
def reset_clock():
    clock = get_clock()
    clock.reset()
    record_event("clock_reset")
    save_clock_offset(clock)
    return jsonify(clock_state())
