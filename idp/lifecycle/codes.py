"""One-time codes sent by email, text or call: issue, resend limits, confirm.

Codes are stored hashed, expire, die after the configured wrong tries, and are
single use. A new code for the same purpose and destination replaces the old
one of the same account: several One Healthcare IDs may share an email address
(or a phone), and each has its own codes there.
The code itself is returned to the caller only so it can be put in the message.
"""

from __future__ import annotations

import math

from ..audit import record_event
from ..crypto.digests import token_digest
from ..errors import CodeExpired, CodeInvalid, ResendLimitReached, ResendTooSoon, TooManyAttempts
from ..extensions import get_settings, now
from ..policy.codes import generate_code, lifetime, may_send, normalize_code
from ..store import accounts as store
from ..store.models import OneTimeCode, User

# Purposes whose code is the 10-digit, 24-hour email activation code.
ACTIVATION_PURPOSES = {"email_activation"}


def check_resend_allowed(destination: str, purpose: str) -> None:
    """Raise ResendTooSoon or ResendLimitReached when another code may not go out yet."""
    decision = may_send(store.code_send_times(destination, purpose), now(), get_settings().codes)
    if decision.reason == "cooldown":
        raise ResendTooSoon(seconds=decision.wait_seconds)
    if decision.reason == "hourly_cap":
        raise ResendLimitReached(minutes=max(1, math.ceil(decision.wait_seconds / 60)))


def issue_code(
    user: User | None, purpose: str, channel: str, destination: str, enforce_limits: bool = True
) -> tuple[OneTimeCode, str]:
    """Create a code for ``purpose`` at ``destination``; returns ``(row, plain_code)``.

    Any earlier live code for the same purpose and destination stops working.
    Written with the message the caller sends, in the same unit of work.
    """
    rules = get_settings().codes
    if enforce_limits:
        check_resend_allowed(destination, purpose)
    activation = purpose in ACTIVATION_PURPOSES
    plain = generate_code(rules.email_activation_digits if activation else rules.otp_digits)
    moment = now()
    for old in store.live_codes(destination, purpose, user.id if user is not None else None):
        old.used_at = moment
    row = OneTimeCode(
        user_id=user.id if user is not None else None,
        purpose=purpose,
        channel=channel,
        destination=destination,
        code_hash=token_digest(plain),
        created_at=moment,
        expires_at=moment + lifetime(activation, rules),
        attempts=0,
    )
    store.add(row)
    record_event("code_issued", user, purpose=purpose, channel=channel)
    return row, plain


def latest_code(destination: str, purpose: str, owner_id: int | None = None) -> OneTimeCode | None:
    """The newest code for ``purpose`` at ``destination`` (used or not), of ``owner_id``'s
    account when given."""
    return store.latest_code(destination, purpose, owner_id)


def confirm_code(
    destination: str, purpose: str, typed: str, owner_id: int | None = None
) -> OneTimeCode:
    """Accept the typed code or raise CodeInvalid / CodeExpired / TooManyAttempts.

    Each try is claimed before the code is compared (``claim_try``), so
    parallel tries get at most the configured number; wrong tries stay counted
    (the pages answer the error and their request is written). A right code is
    marked used atomically, so of two racing confirmations exactly one wins.
    """
    rules = get_settings().codes
    moment = now()
    row = latest_code(destination, purpose, owner_id)
    if row is None:
        raise CodeInvalid()
    if row.used_at is not None:
        # Already used or replaced by a newer code.
        raise CodeInvalid()
    if row.attempts >= rules.max_attempts:
        raise TooManyAttempts()
    if moment >= row.expires_at:
        raise CodeExpired()
    claimed = claim_try(row)
    if not row.matches(normalize_code(typed)):
        owner = store.account(row.user_id) if row.user_id else None
        record_event("code_rejected", owner, purpose=purpose, attempts=claimed)
        if claimed >= rules.max_attempts:
            raise TooManyAttempts()
        raise CodeInvalid()
    if not claim_code(row, moment, claimed):
        raise _dead_or_used(row)
    return row


def claim_try(row: OneTimeCode) -> int:
    """Claim one of the code's tries atomically; raises when none is left or it was used."""
    claimed = store.claim_code_try(row, get_settings().codes.max_attempts)
    if claimed is None:
        raise _dead_or_used(row)
    return claimed


def _dead_or_used(row: OneTimeCode) -> Exception:
    store.reread(row)
    if row.used_at is None and row.attempts >= get_settings().codes.max_attempts:
        return TooManyAttempts()
    return CodeInvalid()


def claim_code(row: OneTimeCode, moment, claimed_try: int | None = None) -> bool:
    """Mark ``row`` used if nobody has yet; of two racing claims exactly one wins.

    With ``claimed_try`` (the try that typed the right code), the code is dead
    instead when tries claimed after it used the limit up: the limit wins over
    a right answer in the same burst. False when another request got there first.
    """
    return store.spend_code(row, moment, get_settings().codes.max_attempts, claimed_try)
