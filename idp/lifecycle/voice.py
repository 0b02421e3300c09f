"""Verification by phone call (SPEC §3.4, §3.6): the screen shows a code and the
user keys it in on the phone's keypad when the automated call asks.

The mock places no real call: the call is recorded in the outbox (channel
``voice``) and "answered" by ``answer_call`` (``POST /_qa/voice/answer`` or the
dev inbox). The page polls ``call_status`` and, once the right digits were
typed, claims the code with ``confirm_call``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..audit import record_event
from ..delivery.outbox import place_call
from ..errors import CallNotAnswered, CodeExpired, CodeInvalid, NoPendingCall, TooManyAttempts
from ..extensions import get_settings, now
from ..messages import message
from ..policy.codes import normalize_code
from ..store import accounts as store
from ..store.models import OneTimeCode, User
from .codes import claim_code, issue_code

CALL_SCRIPT = (
    "Hello, this is One Healthcare ID calling to verify your phone number. "
    "Enter the code shown on your screen using your phone's keypad."
)

# What ``call_status`` reports.
WAITING, ANSWERED, WRONG_DIGITS, EXPIRED, DEAD, USED, NONE = (
    "waiting",
    "answered",
    "wrong_digits",
    "expired",
    "dead",
    "used",
    "none",
)


def start_call(user: User | None, purpose: str, to: str) -> str:
    """Place a verification call to ``to``; returns the code the screen must show.

    Raises ResendTooSoon / ResendLimitReached like any code.
    """
    _row, plain = issue_code(user, purpose, "voice", to)
    place_call(to, purpose, CALL_SCRIPT, user=user, code=plain)
    return plain


def pending_call(to: str) -> OneTimeCode | None:
    """The newest live code a call to ``to`` is waiting for, whatever its purpose."""
    return store.pending_call(to)


@dataclass(frozen=True)
class CallAnswer:
    """What keying ``digits`` into a pending verification call did."""

    to: str
    purpose: str
    result: str  # "accepted", "rejected", "dead" or "expired"
    attempts_left: int
    detail: str

    @property
    def accepted(self) -> bool:
        return self.result == "accepted"


def answer_call(to: str, digits: str) -> CallAnswer:
    """Key ``digits`` into the newest pending verification call to ``to``.

    The digits are kept on the code row; the page that showed the code claims
    it with ``confirm_call`` once they are right. Wrong digits count as a wrong
    try. Raises NoPendingCall when no call waits at that number.
    """
    to = (to or "").strip()
    row = pending_call(to)
    if row is None:
        raise NoPendingCall()
    rules = get_settings().codes
    purpose = row.purpose
    if row.attempts >= rules.max_attempts:
        return CallAnswer(to, purpose, "dead", 0, message("code_dead"))
    if now() >= row.expires_at:
        return CallAnswer(to, purpose, "expired", 0, message("code_expired"))
    typed = normalize_code(digits)[:20]
    right = row.matches(typed)
    if not right:
        # Counted atomically: parallel wrong digits cannot get past the limit.
        counted = store.count_wrong_call_digits(row, rules.max_attempts)
        if counted is None:
            return CallAnswer(to, purpose, "dead", 0, message("code_dead"))
    row.keypad_digits = typed
    owner = store.account(row.user_id) if row.user_id else None
    record_event("call_answered", owner, to=to, purpose=purpose, right_digits=right)
    if right:
        return CallAnswer(
            to, purpose, "accepted", rules.max_attempts - row.attempts, "The code was accepted."
        )
    left = max(0, rules.max_attempts - counted)
    if left == 0:
        return CallAnswer(to, purpose, "dead", 0, message("code_dead"))
    return CallAnswer(to, purpose, "rejected", left, message("code_invalid"))


def _latest_call(destination: str, purpose: str) -> OneTimeCode | None:
    return store.latest_call(destination, purpose)


def _status_of(row: OneTimeCode | None) -> str:
    if row is None:
        return NONE
    if row.used_at is not None:
        return USED
    if row.keypad_digits and row.matches(row.keypad_digits):
        return ANSWERED if now() < row.expires_at else EXPIRED
    if row.attempts >= get_settings().codes.max_attempts:
        return DEAD
    if now() >= row.expires_at:
        return EXPIRED
    return WRONG_DIGITS if row.keypad_digits else WAITING


def call_status(destination: str, purpose: str) -> str:
    """Where the newest call for ``purpose`` to ``destination`` stands (for page polls)."""
    return _status_of(_latest_call(destination, purpose))


def confirm_call(destination: str, purpose: str) -> OneTimeCode:
    """Claim a call whose right digits were keyed in; single use.

    Raises CallNotAnswered (no or wrong digits yet), CodeExpired,
    TooManyAttempts, or CodeInvalid (no call, or already used).
    """
    row = _latest_call(destination, purpose)
    status = _status_of(row)
    if status == WAITING:
        raise CallNotAnswered()
    if status == WRONG_DIGITS:
        raise CallNotAnswered(message("call_wrong_digits"))
    if status == EXPIRED:
        raise CodeExpired()
    if status == DEAD:
        raise TooManyAttempts()
    if status != ANSWERED or not claim_code(row, now()):
        raise CodeInvalid()
    return row
