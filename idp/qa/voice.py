"""The phone keypad of a pending verification call (SPEC §5.1 ``POST /_qa/voice/answer``)."""

from __future__ import annotations

import re

from flask import jsonify

from ..errors import NoPendingCall
from ..lifecycle.voice import answer_call
from ..policy.contact import check_phone
from .api import QAError, bp, check_types, json_body

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


@bp.post("/voice/answer")
def answer_voice_call():
    """``{to, digits}``: key ``digits`` into the call waiting at ``to``.

    Answers ``{to, purpose, result, attempts_left, detail}`` where ``result`` is
    ``accepted``, ``rejected`` (wrong digits, counted as a wrong try), ``dead``
    (too many wrong tries) or ``expired``; 404 when no call waits at ``to``.
    """
    body = json_body()
    check_types(body, {"to": str, "digits": str})
    missing = [name for name in ("to", "digits") if not body.get(name)]
    if missing:
        raise QAError(400, "invalid_request", f"Missing field(s): {', '.join(missing)}.")
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
