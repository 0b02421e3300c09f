"""Authenticator apps (SPEC §3.5 "Authenticator Setup"): set up, confirm, check, remove.

Setting up creates an unconfirmed authenticator with a new secret; it counts
only after the user types a current code from their app. Each accepted code
moves the authenticator's ``last_used_step`` forward atomically, so a code
cannot be used twice (nor by two racing requests).
"""

from __future__ import annotations

from ..audit import record_event
from ..crypto import totp
from ..errors import SetupExpired, TotpCodeInvalid, TotpCodeReused
from ..extensions import now
from ..store import factors as store
from ..store.models import TotpAuthenticator, User

NAME = "Authenticator app"


def confirmed_authenticators(user: User) -> list[TotpAuthenticator]:
    """The user's working authenticator apps, oldest first."""
    return store.confirmed_authenticators(user)


def has_authenticator(user: User) -> bool:
    """Whether the user has a working authenticator app (one indexed read, no rows built)."""
    return store.has_authenticator(user)


def begin_authenticator_setup(user: User) -> TotpAuthenticator:
    """A new unconfirmed authenticator with a fresh secret (any older unconfirmed one goes)."""
    for old in store.unconfirmed_authenticators(user):
        store.remove(old)
    row = TotpAuthenticator(user_id=user.id, name=NAME, secret=totp.new_secret(), created_at=now())
    store.add_now(row)
    return row


def pending_authenticator(user: User, authenticator_id: int | None) -> TotpAuthenticator | None:
    """The unconfirmed authenticator ``authenticator_id`` of ``user``, if it still exists."""
    if authenticator_id is None:
        return None
    row = store.authenticator(authenticator_id)
    if row is None or row.user_id != user.id or row.confirmed_at is not None:
        return None
    return row


def confirm_authenticator(
    user: User, authenticator_id: int | None, typed: str
) -> TotpAuthenticator:
    """Finish the setup with a current code; raises TotpCodeInvalid or SetupExpired."""
    row = pending_authenticator(user, authenticator_id)
    if row is None:
        raise SetupExpired()
    moment = now()
    step = totp.verify_code(row.secret, typed, moment, None)
    row.confirmed_at = moment
    row.last_used_step = step
    row.last_used_at = moment
    record_event("authenticator_added", user, authenticator_id=row.id)
    return row


def check_authenticator_code(user: User, typed: str) -> TotpAuthenticator:
    """The authenticator a current, unused code came from; raises TotpCodeInvalid/Reused."""
    moment = now()
    reused = False
    for row in confirmed_authenticators(user):
        try:
            step = totp.verify_code(row.secret, typed, moment, row.last_used_step)
        except TotpCodeReused:
            reused = True
            continue
        except TotpCodeInvalid:
            continue
        # Move the step forward only if no racing request got there first.
        if not store.claim_totp_step(row, step, moment):
            raise TotpCodeReused()
        return row
    raise TotpCodeReused() if reused else TotpCodeInvalid()


def remove_authenticator(user: User, authenticator_id: int) -> bool:
    """Remove one of the user's authenticators; False if not theirs."""
    row = store.authenticator(authenticator_id)
    if row is None or row.user_id != user.id:
        return False
    store.remove(row)
    record_event("authenticator_removed", user, authenticator_id=authenticator_id)
    return True


def current_code(row: TotpAuthenticator) -> str:
    """The code the app shows now (server clock, so the QA clock moves it too)."""
    return totp.code_at(row.secret, now())


def provisioning_uri(user: User, row: TotpAuthenticator) -> str:
    return totp.provisioning_uri(row.secret, user.username)
