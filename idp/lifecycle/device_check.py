"""The unrecognized-device check of SPEC §3.1 (setting ``security.unrecognized_device_check``).

The first sign-in from a browser the account does not know asks one of the
user's security questions, or a one-time code by text or call (email when the
account has neither questions nor a verified phone). Wrong answers count
towards the lockout. "Skip this step when signing in because this device is
personal or private" remembers the browser (``lifecycle.devices``).
"""

from __future__ import annotations

import secrets

from ..audit import record_event
from ..errors import MethodUnavailable, SecurityAnswerWrong
from ..extensions import db
from ..models import OutboxMessage, User
from .mfa import (
    WRONG_GUESSES,
    code_destination,
    confirm_sent_code,
    count_failed_verification,
    refuse_if_locked,
    send_one_time_code,
)
from .security_questions import check_security_answer

DEVICE_PURPOSE = "device_check"


def device_check_methods(user: User) -> list[str]:
    """How ``user`` can prove it is them on a new browser, in the order offered."""
    methods = []
    if user.security_answers:
        methods.append("question")
    if user.phone and user.phone_verified:
        methods += ["sms", "call"]
    return methods or ["email"]


def pick_question(user: User) -> int | None:
    """One of the user's security questions, at random (its position)."""
    positions = [row.position for row in user.security_answers]
    return secrets.choice(positions) if positions else None


def question_text(user: User, position: int | None) -> str | None:
    for row in user.security_answers:
        if row.position == position:
            return row.question
    return None


def send_device_code(user: User, method: str) -> OutboxMessage:
    """Text, call or email a code for the device check (committed)."""
    if method == "question" or method not in device_check_methods(user):
        raise MethodUnavailable()
    refuse_if_locked(user)
    return send_one_time_code(user, method, code_destination(user, method), DEVICE_PURPOSE)


def pass_device_check(user: User, method: str, answer: str, position: int | None = None) -> None:
    """Accept the security answer or code; wrong ones count towards the lockout."""
    if method not in device_check_methods(user):
        raise MethodUnavailable()
    refuse_if_locked(user)
    try:
        if method == "question":
            if position is None or not check_security_answer(user, position, answer):
                raise SecurityAnswerWrong()
        else:
            confirm_sent_code(user, method, code_destination(user, method), DEVICE_PURPOSE, answer)
    except WRONG_GUESSES:
        count_failed_verification(user, "unrecognized_device")
        raise
    user.failed_sign_ins = 0
    record_event("device_check_passed", user, method=method)
    db.session.commit()
