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
from ..store.models import OutboxMessage, User
from .mfa import confirm_sent_code, judge_sign_in_step, refuse_if_locked
from .second_factors import sent_code_method
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


def device_check_label(user: User, method: str) -> str:
    """How a device-check method is offered: a question, or a code as for the second factor."""
    sender = sent_code_method(method)
    return sender.label(user) if sender is not None else "Answer a security question"


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
    """Text, call or email a code for the device check."""
    sender = sent_code_method(method)
    if sender is None or method not in device_check_methods(user):
        raise MethodUnavailable()
    refuse_if_locked(user)
    return sender.send(user, DEVICE_PURPOSE)


def _check(user: User, method: str, answer: str, position: int | None) -> None:
    if method == "question":
        if position is None or not check_security_answer(user, position, answer):
            raise SecurityAnswerWrong()
    else:
        destination = sent_code_method(method).destination(user)
        confirm_sent_code(user, method, destination, DEVICE_PURPOSE, answer)


def pass_device_check(user: User, method: str, answer: str, position: int | None = None) -> None:
    """Accept the security answer or code; wrong ones count towards the lockout."""
    if method not in device_check_methods(user):
        raise MethodUnavailable()
    judge_sign_in_step(user, "unrecognized_device", lambda: _check(user, method, answer, position))
    record_event("device_check_passed", user, method=method)
