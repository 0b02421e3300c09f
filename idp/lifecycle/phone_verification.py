"""Verify Phone Number (SPEC §3.4): a code by text message, or a call whose code
the *screen* shows and the user keys in on the phone.

Calls are never placed: the outbox records them and ``answer_call`` plays the
phone keypad (``POST /_qa/voice/answer`` or the dev inbox's button). Keyed
digits are kept on the code row so the waiting page can tell what happened;
wrong digits count as wrong tries like a wrongly typed code.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import (
    CodeExpired,
    CodeInvalid,
    NoPendingCall,
    TooManyAttempts,
    ValidationFailed,
)
from ..extensions import db, get_settings, now
from ..messages import message
from ..models import OneTimeCode, User
from ..policy.contact import check_phone
from ..security.digests import digest_matches
from .audit import record_event
from .codes import confirm_code, issue_code, latest_code

PURPOSE = "phone_verification"
CHANNELS = ("sms", "voice")


def send_phone_code(user: User, channel: str) -> str:
    """Text the user's phone a code (``sms``) or call it (``voice``); returns the code.

    The code is returned so a call screen can show it. Raises ResendTooSoon or
    ResendLimitReached within the limits for the number.
    """
    from ..delivery.outbox import place_call, send_sms

    if channel not in CHANNELS:
        raise ValueError(f"unknown phone channel {channel!r}")
    if not user.phone:
        raise ValidationFailed({"phone": [message("field_required")]})
    rules = get_settings().codes
    row, plain = issue_code(user, PURPOSE, channel, user.phone)
    if channel == "sms":
        send_sms(user.phone, PURPOSE, "code", user=user, code=plain, minutes=rules.otp_minutes)
    else:
        body = message("voice_verification_call", digits=len(plain))
        place_call(user.phone, PURPOSE, body, user=user, code=plain)
    db.session.commit()
    return plain


def _mark_verified(user: User, channel: str) -> None:
    user.phone_verified = True
    record_event("phone_verified", user, channel=channel)
    db.session.commit()


def confirm_phone_code(user: User, typed: str) -> None:
    """Verify the phone with the code the user typed; raises CodeInvalid, CodeExpired or
    TooManyAttempts (wrong tries are counted)."""
    row = confirm_code(user.phone or "", PURPOSE, typed)
    _mark_verified(user, row.channel)


def update_phone(user: User, phone: str, country_code: str = "+1") -> str:
    """Replace the user's phone number (unverified until its code is confirmed).

    Returns the E.164 number; raises ValidationFailed for a number that is not valid.
    """
    errors, e164 = check_phone(phone, country_code)
    if errors:
        raise ValidationFailed({"phone": errors})
    if e164 != user.phone:
        user.phone = e164
        user.phone_verified = False
        record_event("phone_changed", user)
    db.session.commit()
    return e164


@dataclass(frozen=True)
class CallAnswer:
    """What keying ``digits`` into a pending verification call did."""

    to: str
    purpose: str
    result: str  # "accepted", "rejected", "dead" or "expired"
    attempts_left: int
    detail: str


def pending_call(to: str) -> OneTimeCode | None:
    """The newest live code that a call to ``to`` is waiting for, whatever its purpose."""
    return db.session.execute(
        db.select(OneTimeCode)
        .filter_by(destination=to, channel="voice", used_at=None)
        .order_by(OneTimeCode.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def answer_call(to: str, digits: str) -> CallAnswer:
    """Play the phone keypad of the pending call to ``to``: key in ``digits``.

    Raises NoPendingCall when no call waits at that number. The right digits
    confirm the code (and, for phone verification, verify the number); wrong
    ones count as a wrong try.
    """
    row = pending_call(to)
    if row is None:
        raise NoPendingCall(to=to)
    rules = get_settings().codes
    row.keypad_digits = digits
    owner = db.session.get(User, row.user_id) if row.user_id else None
    record_event("call_answered", owner, to=to, purpose=row.purpose)
    purpose = row.purpose
    try:
        confirm_code(to, purpose, digits)
    except TooManyAttempts as exc:
        db.session.commit()
        return CallAnswer(to, purpose, "dead", 0, exc.text)
    except CodeExpired as exc:
        db.session.commit()
        return CallAnswer(to, purpose, "expired", 0, exc.text)
    except CodeInvalid as exc:
        return CallAnswer(to, purpose, "rejected", rules.max_attempts - row.attempts, exc.text)
    if purpose == PURPOSE and owner is not None and owner.phone == to:
        _mark_verified(owner, "voice")
    return CallAnswer(to, purpose, "accepted", 0, "The code was accepted.")


def call_answered_correctly(row: OneTimeCode | None) -> bool:
    """Whether ``row`` was used up by the right digits keyed into its call."""
    return bool(
        row is not None
        and row.channel == "voice"
        and row.used_at is not None
        and row.keypad_digits
        and digest_matches(row.code_hash, row.keypad_digits)
    )


@dataclass(frozen=True)
class CallStatus:
    """Where the user's verification call stands, as the waiting page shows it."""

    state: str  # "verified", "waiting", "rejected", "dead", "expired" or "none"
    text: str


def call_status(user: User) -> CallStatus:
    """The state of the newest verification call to the user's phone (read only)."""
    if user.phone and user.phone_verified:
        return CallStatus("verified", message("phone_verified"))
    row = latest_code(user.phone or "", PURPOSE)
    if row is None or row.channel != "voice":
        return CallStatus("none", "")
    if call_answered_correctly(row):
        return CallStatus("verified", message("phone_verified"))
    rules = get_settings().codes
    if row.attempts >= rules.max_attempts:
        return CallStatus("dead", message("code_dead"))
    if row.used_at is not None:
        return CallStatus("none", "")
    if now() >= row.expires_at:
        return CallStatus("expired", message("code_expired"))
    if row.keypad_digits:
        left = rules.max_attempts - row.attempts
        return CallStatus("rejected", message("call_rejected", attempts_left=left))
    return CallStatus("waiting", message("call_waiting"))
