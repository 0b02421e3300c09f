"""Verify Phone Number (SPEC §3.4): a code by text message, or a call whose code
the *screen* shows and the user keys in on the phone.

Calls are never placed: the outbox records them and ``answer_call`` plays the
phone keypad (``POST /_qa/voice/answer`` or the dev inbox's button). Keyed
digits are kept on the code row so the waiting page can tell what happened;
wrong digits count as wrong tries like a wrongly typed code.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..audit import record_event
from ..errors import DomainError, ValidationFailed
from ..extensions import get_settings
from ..messages import message
from ..policy.contact import check_phone
from ..store.models import User
from . import voice
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
    return plain


def _mark_verified(user: User, channel: str) -> None:
    user.phone_verified = True
    record_event("phone_verified", user, channel=channel)


def confirm_phone_code(user: User, typed: str) -> None:
    """Verify the phone with the code the user typed; raises CodeInvalid, CodeExpired or
    TooManyAttempts (wrong tries are counted)."""
    row = confirm_code(user.phone or "", PURPOSE, typed, user.id)
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
    return e164


@dataclass(frozen=True)
class CallStatus:
    """Where the user's verification call stands, as the waiting page shows it."""

    state: str  # "verified", "waiting", "rejected", "dead", "expired" or "none"
    text: str


def call_status(user: User) -> CallStatus:
    """Where the verification call to the user's phone stands; right digits verify it.

    Once the keypad got the right digits the code is claimed (single use) and
    the phone marked verified, so the waiting page's next poll moves on.
    """
    if user.phone and user.phone_verified:
        return CallStatus("verified", message("phone_verified"))
    destination = user.phone or ""
    state = voice.call_status(destination, PURPOSE)
    if state == voice.ANSWERED:
        try:
            voice.confirm_call(destination, PURPOSE)
        except DomainError as exc:
            return CallStatus("none", exc.text)
        _mark_verified(user, "voice")
        return CallStatus("verified", message("phone_verified"))
    rules = get_settings().codes
    if state == voice.DEAD:
        return CallStatus("dead", message("code_dead"))
    if state == voice.EXPIRED:
        return CallStatus("expired", message("code_expired"))
    if state == voice.WRONG_DIGITS:
        row = latest_code(destination, PURPOSE, user.id)
        left = rules.max_attempts - row.attempts
        return CallStatus("rejected", message("call_rejected", attempts_left=left))
    if state == voice.WAITING:
        return CallStatus("waiting", message("call_waiting"))
    return CallStatus("none", "")
