"""The phone keypad of a pending verification call (SPEC §5.1 ``POST /_qa/voice/answer``)."""

from __future__ import annotations

import re
from typing import Annotated

from flask import jsonify
from pydantic import Field

from ..errors import NoPendingCall
from ..lifecycle.voice import answer_call
from ..policy.contact import check_phone
from .api import QAError, bp, json_body
from .schemas import QARequest, Says, parse

# What a phone keypad can send; a trailing "#" (pound) ends the entry.
_KEYPAD = re.compile(r"^[0-9*#]{1,20}$")


def keypad_digits(raw: str) -> str:
    """The digits keyed in, without the closing pound key; ValueError if not keypad input."""
    text = raw.replace(" ", "")
    if not _KEYPAD.match(text):
        raise ValueError("'digits' must be 1 to 20 keypad characters (0-9, * and #).")
    digits = text.rstrip("#")
    if not digits:
        raise ValueError("'digits' must contain at least one digit before '#'.")
    return digits


def _digits_problem(raw: str) -> str | None:
    try:
        keypad_digits(raw)
    except ValueError as exc:
        return str(exc)
    return None


class CallAnswer(QARequest):
    """``POST /_qa/voice/answer``: digits keyed into the call waiting at a number."""

    to: Annotated[str, Field(min_length=1, examples=["+16125550100"])]
    digits: Annotated[
        str,
        Field(
            description="Keypad keys (0-9, * and #); a closing # ends",
            pattern="^[0-9*# ]*[0-9*][0-9*# ]*$",
            max_length=20,
            examples=["123456#"],
        ),
        Says(_digits_problem),
    ]


@bp.post("/voice/answer")
def answer_voice_call():
    """``{to, digits}``: key ``digits`` into the call waiting at ``to``.

    Answers ``{to, purpose, result, attempts_left, detail}`` where ``result`` is
    ``accepted``, ``rejected`` (wrong digits, counted as a wrong try), ``dead``
    (too many wrong tries) or ``expired``; 404 when no call waits at ``to``.
    """
    body = parse(CallAnswer, json_body())
    errors, to = check_phone(body["to"])
    if errors:
        raise QAError(400, "invalid_request", f"'to': {errors[0]}")
    try:
        digits = keypad_digits(body["digits"])
    except ValueError as exc:
        raise QAError(400, "invalid_request", str(exc)) from None
    try:
        outcome = answer_call(to, digits)
    except NoPendingCall:
        raise QAError(404, "not_found", f"No verification call is waiting at {to}.") from None
    return jsonify(
        to=outcome.to,
        purpose=outcome.purpose,
        result=outcome.result,
        attempts_left=outcome.attempts_left,
        detail=outcome.detail,
    )
