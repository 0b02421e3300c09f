"""Sign-in: checking a password against the account's state, and SSO sessions."""

from __future__ import annotations

import secrets
from contextlib import suppress
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..audit import record_event
from ..errors import AccountInactive, AccountLocked, InvalidCredentials, SharedEmailNeedsId
from ..extensions import get_clock, get_hashing, get_settings, now
from ..policy.lockout import is_inactive, is_locked, minutes_left
from ..signals import sso_session_ended
from ..store import db, execute_plain, insert_row
from ..store.models import SsoSession, User
from .accounts import find_accounts
from .attempts import (
    claim_sign_in_attempt,
    fail_sign_in_attempt,
    pass_sign_in_attempt,
    release_sign_in_attempt,
)
from .notifications import notify
from .tokens import end_session_bound_tokens

TOUCH_EVERY = timedelta(seconds=1)

# Built once: SQLAlchemy caches a statement's compiled form by the statement object,
# and every page view of a signed-in browser reads its SSO session.
_SIGNED_IN_AT = (
    update(User).where(User.id == bindparam("account")).values(last_sign_in_at=bindparam("moment"))
)
_SSO_SESSION = select(SsoSession).where(SsoSession.id == bindparam("sid"))
_TOUCH = (
    update(SsoSession)
    .where(SsoSession.id == bindparam("sid"))
    .values(last_seen_at=bindparam("moment"))
)

# Verified against when the account does not exist, so both paths cost the same.
_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    hashing = get_hashing()
    if hashing.profile not in _DUMMY_HASHES:
        _DUMMY_HASHES[hashing.profile] = hashing.hash(secrets.token_urlsafe(16))
    return _DUMMY_HASHES[hashing.profile]


def refresh_inactivity(user: User, moment: datetime) -> None:
    """Deactivate an account that has not signed in for the configured days."""
    if user.deactivated_at is not None:
        return
    days = get_settings().account.inactivity_days
    # A password set since (a reset reactivates) counts as activity too.
    last = max(user.last_sign_in_at or user.created_at, user.password_changed_at)
    if is_inactive(last, moment, days):
        user.deactivated_at = last + timedelta(days=days)
        record_event("account_deactivated", user, reason="inactivity")


def authenticate_password(identifier: str, password: str) -> User:
    """The account for a correct ID-or-email and password, or a domain error.

    Wrong ID and wrong password raise the same error; the failure count and
    lock are kept on the account and committed even though sign-in fails.
    An email shared by several IDs lets the password decide when it fits exactly
    one of them; when it fits several, SharedEmailNeedsId asks for the One
    Healthcare ID; when it fits none, the wrong try counts against each of them.
    """
    hashing = get_hashing()
    accounts = find_accounts(identifier)
    if not accounts:
        hashing.verify(_dummy_hash(), password or "")
        record_event("sign_in_failed", username=(identifier or "")[:50], reason="unknown_id")
        db.session.commit()
        raise InvalidCredentials()
    if len(accounts) == 1:
        return _authenticate(accounts[0], password)
    fits = [u for u in accounts if hashing.verify(u.password_hash, password or "")]
    if len(fits) == 1:
        return _authenticate(fits[0], password)
    if fits:
        record_event("sign_in_needs_id", username=(identifier or "")[:50], ids=len(fits))
        db.session.commit()
        raise SharedEmailNeedsId()
    for user in accounts:
        with suppress(InvalidCredentials, AccountLocked):
            _authenticate(user, password)
    raise InvalidCredentials()


def _authenticate(user: User, password: str) -> User:
    """Check ``password`` against one account's state and hash (see authenticate_password)."""
    hashing = get_hashing()
    moment = now()
    if is_locked(user.locked_until, moment):
        record_event("sign_in_refused", user, reason="locked")
        db.session.commit()
        raise AccountLocked(minutes=minutes_left(user.locked_until, moment))
    try:
        # Claimed before the slow hash check: parallel tries get at most the limit.
        claimed = claim_sign_in_attempt(user)
    except AccountLocked:
        record_event("sign_in_refused", user, reason="locked")
        db.session.commit()
        raise
    if not hashing.verify(user.password_hash, password or ""):
        outcome = fail_sign_in_attempt(user, claimed, moment)
        record_event("sign_in_failed", user, reason="wrong_password", count=outcome.failed_sign_ins)
        notify(user, "failed_login")
        if outcome.locked_until is not None:
            record_event("account_locked", user, until=outcome.locked_until.isoformat())
            notify(user, "locked_account")
            db.session.commit()
            raise AccountLocked(minutes=minutes_left(outcome.locked_until, moment))
        db.session.commit()
        raise InvalidCredentials()
    refresh_inactivity(user, moment)
    if user.deactivated_at is not None:
        record_event("sign_in_refused", user, reason="inactive")
        db.session.commit()
        release_sign_in_attempt(user)
        raise AccountInactive()
    try:
        pass_sign_in_attempt(user, claimed)
    except AccountLocked:
        record_event("sign_in_refused", user, reason="locked")
        db.session.commit()
        raise
    if hashing.needs_rehash(user.password_hash):
        user.password_hash = hashing.hash(password)
    # Committed now: the write lock is not held while the journey is worked out.
    db.session.commit()
    return user


def start_sso_session(user: User, amr: list[str], acr: str | None = None) -> SsoSession:
    """Open a new SSO session (a fresh id, so sign-in rotates the session id).

    Not committed: the sign-in step that completes the journey commits it.
    """
    moment = now()
    session = SsoSession(
        id=secrets.token_urlsafe(32),
        user_id=user.id,
        created_at=moment,
        last_seen_at=moment,
        auth_time=moment,
        real_auth_time=get_clock().real_timestamp(),
        amr=list(amr),
        acr=acr,
    )
    # Plain statements, not a flush: every sign-in writes these two rows.
    insert_row(session)
    execute_plain(_SIGNED_IN_AT, {"account": user.id, "moment": moment})
    set_committed_value(user, "last_sign_in_at", moment)
    record_event("sign_in", user, amr=list(amr), sid=session.id)
    notify(user, "successful_login")
    return session


def load_sso_session(session_id: str | None, touch: bool = True) -> SsoSession | None:
    """The live SSO session for ``session_id``: not ended, idle or past its age."""
    if not session_id:
        return None
    session = db.session.scalars(_SSO_SESSION, {"sid": session_id}).one_or_none()
    if session is None or session.ended_at is not None:
        return None
    rules = get_settings().session
    moment = now()
    idle = moment - session.last_seen_at >= timedelta(minutes=rules.idle_minutes)
    old = moment - session.created_at >= timedelta(hours=rules.absolute_hours)
    if idle or old:
        session.ended_at = moment
        db.session.commit()
        return None
    # Touched at most once a second: the redirects of one sign-in (password step,
    # resume) follow each other within milliseconds, and each touch is a write.
    if touch and moment - session.last_seen_at >= TOUCH_EVERY:
        # A plain UPDATE, not a flush of the changed row: every page view does this.
        execute_plain(_TOUCH, {"sid": session.id, "moment": moment})
        set_committed_value(session, "last_seen_at", moment)
        db.session.commit()
    return session


def end_sso_session(session: SsoSession, reason: str = "sign_out") -> None:
    """End one SSO session and tell the portals that signed in through it."""
    if session.ended_at is None:
        session.ended_at = now()
        record_event("sign_out", session.user, sid=session.id, reason=reason)
        end_session_bound_tokens(session.id)
        db.session.commit()
        sso_session_ended.send(session)
