"""The QA clock: move the server's time for every time rule (SPEC §5.1)."""

from __future__ import annotations

from typing import Annotated

from flask import jsonify
from pydantic import ConfigDict, Field, model_validator

from ..clock import parse_duration
from . import operations
from .api import QAError, bp, json_body
from .schemas import QARequest, Says, parse, rule_broken


def _duration_problem(text: str) -> str:
    try:
        parse_duration(text)
    except ValueError as exc:
        return str(exc)
    return "'advance' must not be empty."


class ClockMove(QARequest):
    """``POST /_qa/clock``: move by a duration, or jump to an instant."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["advance"]}, {"required": ["set"]}]}
    )

    advance: Annotated[
        str,
        Field(
            min_length=1,
            description="91d, 30m, 12h, 45s; -1d goes back",
            examples=["91d", "30m"],
        ),
        Says(_duration_problem),
    ] = None
    set: Annotated[str, Field(json_schema_extra={"format": "date-time"})] = None

    @model_validator(mode="after")
    def _one_move(self):
        if ("advance" in self.model_fields_set) == ("set" in self.model_fields_set):
            raise rule_broken("Send exactly one of 'advance' or 'set'.")
        return self


@bp.get("/clock")
def read_clock():
    return jsonify(operations.clock_state())


@bp.post("/clock")
def move_clock():
    """``{advance: "91d"}`` moves forward (or back with "-1d"); ``{set: ISO-8601}`` jumps."""
    body = parse(ClockMove, json_body())
    try:
        if "advance" in body:
            return jsonify(operations.advance_clock(body["advance"]))
        return jsonify(operations.set_clock(body["set"]))
    except operations.QAInputError as exc:
        raise QAError(400, "invalid_request", str(exc)) from None


@bp.delete("/clock")
def reset_clock():
    return jsonify(operations.reset_clock())
