"""The 16-digit recovery code (SPEC §3.5): shown once, stored hashed, used once.

It is issued when the user sets up their first passkey or authenticator,
signs them in once in place of the second factor, and is then replaced by a
new one (shown once again). It can be regenerated from My Profile.
"""

from __future__ import annotations

from ..audit import record_event
from ..errors import RecoveryCodeInvalid
from ..extensions import get_hashing, get_settings, now
from ..policy.codes import generate_code, normalize_code
from ..store import factors as store
from ..store.models import RecoveryCode, User


def live_recovery_code(user: User) -> RecoveryCode | None:
    """The user's unused recovery code, if any."""
    return store.live_recovery_code(user)


def has_recovery_code(user: User) -> bool:
    return live_recovery_code(user) is not None


def issue_recovery_code(user: User) -> str:
    """A new recovery code replacing any other; returns the plain code."""
    moment = now()
    for old in store.unused_recovery_codes(user):
        old.used_at = moment
    plain = generate_code(get_settings().recovery.code_digits)
    store.add(RecoveryCode(user_id=user.id, code_hash=get_hashing().hash(plain), created_at=moment))
    record_event("recovery_code_issued", user)
    return plain


def regenerate_recovery_code(user: User) -> str:
    """Replace the recovery code (My Profile). Returns the new plain code."""
    plain = issue_recovery_code(user)
    return plain


def use_recovery_code(user: User, typed: str) -> str:
    """Spend the recovery code in place of a second factor; returns its replacement.

    Raises RecoveryCodeInvalid. The old code is claimed atomically, so of two
    racing uses exactly one wins; the replacement is written with it.
    """
    row = live_recovery_code(user)
    candidate = normalize_code(typed)
    if row is None or not candidate.isdigit() or not get_hashing().verify(row.code_hash, candidate):
        raise RecoveryCodeInvalid()
    if not store.spend_recovery_code(row, now()):
        raise RecoveryCodeInvalid()
    record_event("recovery_code_used", user)
    plain = issue_recovery_code(user)
    return plain


def drop_recovery_code(user: User) -> None:
    """Retire the recovery code (the last strong method was removed)."""
    moment = now()
    for row in store.unused_recovery_codes(user):
        row.used_at = moment
