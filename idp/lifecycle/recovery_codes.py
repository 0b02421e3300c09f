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
from ..store import db
from ..store.models import RecoveryCode, User


def live_recovery_code(user: User) -> RecoveryCode | None:
    """The user's unused recovery code, if any."""
    return db.session.execute(
        db.select(RecoveryCode)
        .filter_by(user_id=user.id, used_at=None)
        .order_by(RecoveryCode.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def has_recovery_code(user: User) -> bool:
    return live_recovery_code(user) is not None


def issue_recovery_code(user: User) -> str:
    """A new recovery code replacing any other (not committed); returns the plain code."""
    moment = now()
    for old in db.session.execute(
        db.select(RecoveryCode).filter_by(user_id=user.id, used_at=None)
    ).scalars():
        old.used_at = moment
    plain = generate_code(get_settings().recovery.code_digits)
    db.session.add(
        RecoveryCode(user_id=user.id, code_hash=get_hashing().hash(plain), created_at=moment)
    )
    record_event("recovery_code_issued", user)
    return plain


def regenerate_recovery_code(user: User) -> str:
    """Replace the recovery code (My Profile); committed. Returns the new plain code."""
    plain = issue_recovery_code(user)
    db.session.commit()
    return plain


def use_recovery_code(user: User, typed: str) -> str:
    """Spend the recovery code in place of a second factor; returns its replacement.

    Raises RecoveryCodeInvalid. The old code is claimed atomically, so of two
    racing uses exactly one wins; the replacement is committed with it.
    """
    row = live_recovery_code(user)
    candidate = normalize_code(typed)
    if row is None or not candidate.isdigit() or not get_hashing().verify(row.code_hash, candidate):
        raise RecoveryCodeInvalid()
    claimed = db.session.execute(
        db.update(RecoveryCode)
        .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
        .values(used_at=now())
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise RecoveryCodeInvalid()
    record_event("recovery_code_used", user)
    plain = issue_recovery_code(user)
    db.session.commit()
    return plain


def drop_recovery_code(user: User) -> None:
    """Retire the recovery code (the last strong method was removed); not committed."""
    moment = now()
    for row in db.session.execute(
        db.select(RecoveryCode).filter_by(user_id=user.id, used_at=None)
    ).scalars():
        row.used_at = moment
