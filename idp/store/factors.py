"""The factors aggregate: authenticator apps, passkeys and their ceremonies, and
recovery codes.

Every read, write and atomic claim of these rows goes through a function here;
nothing is committed (the unit of work commits, see ``store.units``). The reads
every password sign-in makes are built once (SQLAlchemy caches a statement's
compiled form by the statement object).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, or_, select, update

from .base import db
from .models import PasskeyChallenge, PasskeyCredential, RecoveryCode, TotpAuthenticator, User
from .rows import add, add_now, read_plain, remove, write_pending  # noqa: F401 - rows in general, named per aggregate

_CONFIRMED = (
    select(TotpAuthenticator)
    .where(
        TotpAuthenticator.user_id == bindparam("user_id"),
        TotpAuthenticator.confirmed_at.is_not(None),
    )
    .order_by(TotpAuthenticator.id)
)
_ANY_CONFIRMED = (
    select(TotpAuthenticator.id)
    .where(
        TotpAuthenticator.user_id == bindparam("user_id"),
        TotpAuthenticator.confirmed_at.is_not(None),
    )
    .limit(1)
)
_PASSKEYS_OF = (
    select(PasskeyCredential)
    .where(PasskeyCredential.user_id == bindparam("user_id"))
    .order_by(PasskeyCredential.id)
)
_ANY_PASSKEY = (
    select(PasskeyCredential.id).where(PasskeyCredential.user_id == bindparam("user_id")).limit(1)
)


# --- Authenticator apps ------------------------------------------------------------


def confirmed_authenticators(user: User) -> list[TotpAuthenticator]:
    """The account's working authenticator apps, oldest first."""
    return list(db.session.scalars(_CONFIRMED, {"user_id": user.id}))


def has_authenticator(user: User) -> bool:
    """Whether the account has a working authenticator app (one indexed read, no rows built)."""
    return read_plain(_ANY_CONFIRMED, {"user_id": user.id}).first() is not None


def unconfirmed_authenticators(user: User) -> list[TotpAuthenticator]:
    """The account's authenticator apps whose setup was not finished."""
    return list(
        db.session.execute(
            select(TotpAuthenticator).filter_by(user_id=user.id, confirmed_at=None)
        ).scalars()
    )


def authenticator(authenticator_id) -> TotpAuthenticator | None:
    """The authenticator app ``authenticator_id``, or None."""
    return db.session.get(TotpAuthenticator, authenticator_id)


def claim_totp_step(row: TotpAuthenticator, step: int, moment: datetime) -> bool:
    """Move the app's last used step forward to ``step`` unless a racing request got
    there first (a code is used once)."""
    return (
        db.session.execute(
            update(TotpAuthenticator)
            .where(
                TotpAuthenticator.id == row.id,
                or_(
                    TotpAuthenticator.last_used_step.is_(None),
                    TotpAuthenticator.last_used_step < step,
                ),
            )
            .values(last_used_step=step, last_used_at=moment)
        ).rowcount
        == 1
    )


# --- Passkeys ----------------------------------------------------------------------


def passkeys_of(user: User) -> list[PasskeyCredential]:
    """The account's passkeys, oldest first."""
    return list(db.session.scalars(_PASSKEYS_OF, {"user_id": user.id}))


def has_passkey(user: User) -> bool:
    """Whether the account has a passkey (one indexed read, no rows built)."""
    return read_plain(_ANY_PASSKEY, {"user_id": user.id}).first() is not None


def passkey_user_handle(user: User) -> str | None:
    """The WebAuthn user handle the account's passkeys share, if it has any."""
    return db.session.execute(
        select(PasskeyCredential.user_handle).filter_by(user_id=user.id).limit(1)
    ).scalar_one_or_none()


def passkey(passkey_id) -> PasskeyCredential | None:
    """The passkey ``passkey_id``, or None."""
    return db.session.get(PasskeyCredential, passkey_id)


def passkey_by_credential_id(credential_id: str) -> PasskeyCredential | None:
    """The passkey the authenticator calls ``credential_id``, or None."""
    return db.session.execute(
        select(PasskeyCredential).filter_by(credential_id=credential_id)
    ).scalar_one_or_none()


def credential_id_taken(credential_id: str) -> bool:
    """Whether a passkey with ``credential_id`` is stored already."""
    return (
        db.session.execute(
            select(PasskeyCredential.id).filter_by(credential_id=credential_id)
        ).first()
        is not None
    )


def clear_expired_challenges(moment: datetime) -> None:
    """Delete the passkey ceremonies that ran out before ``moment``."""
    db.session.execute(delete(PasskeyChallenge).where(PasskeyChallenge.expires_at < moment))


def challenge_by_hash(ceremony_hash: str) -> PasskeyChallenge | None:
    """The stored ceremony whose id hashes to ``ceremony_hash``, or None."""
    return db.session.execute(
        select(PasskeyChallenge).filter_by(ceremony_hash=ceremony_hash)
    ).scalar_one_or_none()


def spend_challenge(row: PasskeyChallenge, moment: datetime) -> bool:
    """Mark the ceremony used if nobody has yet (single use, however requests race)."""
    return (
        db.session.execute(
            update(PasskeyChallenge)
            .where(PasskeyChallenge.id == row.id, PasskeyChallenge.used_at.is_(None))
            .values(used_at=moment)
        ).rowcount
        == 1
    )


# --- Recovery codes ----------------------------------------------------------------


def live_recovery_code(user: User) -> RecoveryCode | None:
    """The account's newest unused recovery code, if any."""
    return db.session.execute(
        select(RecoveryCode)
        .filter_by(user_id=user.id, used_at=None)
        .order_by(RecoveryCode.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def unused_recovery_codes(user: User) -> list[RecoveryCode]:
    """Every unused recovery code of the account."""
    return list(
        db.session.execute(select(RecoveryCode).filter_by(user_id=user.id, used_at=None)).scalars()
    )


def spend_recovery_code(row: RecoveryCode, moment: datetime) -> bool:
    """Mark the recovery code used if nobody has yet (of two racing uses one wins)."""
    return (
        db.session.execute(
            update(RecoveryCode)
            .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
            .values(used_at=moment)
        ).rowcount
        == 1
    )
