"""The sign-in aggregate: an account's counted sign-in tries and lock, its SSO
sessions and the browsers it remembers (interactions live in ``store.interactions``).

The tries are claimed with conditional UPDATEs (``UPDATE users SET
failed_sign_ins = failed_sign_ins + 1 WHERE failed_sign_ins < limit``): the
database hands out at most ``limit`` tries however many requests arrive
together (SQLite takes its write lock for the statement, PostgreSQL re-checks
the condition on the locked row). Nothing here commits; the statements are
built once (SQLAlchemy caches a statement's compiled form by the statement
object, and building one per call cost four times its execution).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from .base import db
from .models import RememberedDevice, SsoSession, User
from .rows import add, execute_plain, insert_row, remove  # noqa: F401 - rows in general, named per aggregate

_THIS_ACCOUNT = User.id == bindparam("account")
_NOT_LOCKED = or_(User.locked_until.is_(None), User.locked_until <= bindparam("moment"))
_END_EXPIRED_LOCK = (
    update(User)
    .where(_THIS_ACCOUNT, User.locked_until == bindparam("seen"))
    .values(locked_until=None, failed_sign_ins=0)
)
_CLAIM = (
    update(User)
    .where(_THIS_ACCOUNT, _NOT_LOCKED, User.failed_sign_ins < bindparam("limit"))
    .values(failed_sign_ins=User.failed_sign_ins + 1)
    .returning(User.failed_sign_ins)
)
_LOCK = update(User).where(_THIS_ACCOUNT, _NOT_LOCKED).values(locked_until=bindparam("until"))
_PASS = (
    update(User)
    .where(
        _THIS_ACCOUNT,
        _NOT_LOCKED,
        or_(
            User.failed_sign_ins < bindparam("limit"), User.failed_sign_ins == bindparam("claimed")
        ),
    )
    .values(failed_sign_ins=0, locked_until=None)
)
_RELEASE = (
    update(User)
    .where(_THIS_ACCOUNT, User.failed_sign_ins > 0)
    .values(failed_sign_ins=User.failed_sign_ins - 1)
)
_SIGNED_IN_AT = (
    update(User).where(User.id == bindparam("account")).values(last_sign_in_at=bindparam("moment"))
)
_SSO_SESSION = select(SsoSession).where(SsoSession.id == bindparam("sid"))
_TOUCH = (
    update(SsoSession)
    .where(SsoSession.id == bindparam("sid"))
    .values(last_seen_at=bindparam("moment"))
)
_REMEMBERED = select(RememberedDevice).where(
    RememberedDevice.user_id == bindparam("user_id"),
    RememberedDevice.purpose == bindparam("purpose"),
    RememberedDevice.token_hash == bindparam("token_hash"),
)


# --- Counted tries and the lock ---------------------------------------------------


def end_expired_lock(user: User, seen: datetime) -> bool:
    """Clear the lock ``seen`` (run out) and its count; False when another request did."""
    ended = execute_plain(_END_EXPIRED_LOCK, {"account": user.id, "seen": seen}).rowcount
    db.session.expire(user, ["locked_until", "failed_sign_ins"])
    return ended == 1


def claim_attempt(user: User, moment: datetime, limit: int) -> int | None:
    """Claim one try of an unlocked account atomically; its number, or None when the
    account is locked or its tries are used up."""
    claimed = execute_plain(
        _CLAIM, {"account": user.id, "moment": moment, "limit": limit}
    ).scalar_one_or_none()
    db.session.expire(user, ["failed_sign_ins"])
    return claimed


def lock_account_until(user: User, moment: datetime, until: datetime) -> None:
    """Lock the account until ``until`` unless it is locked already."""
    execute_plain(_LOCK, {"account": user.id, "moment": moment, "until": until})
    db.session.expire(user, ["locked_until"])


def pass_attempt(user: User, moment: datetime, limit: int, claimed: int) -> bool:
    """Reset the count after the right answer of try ``claimed``; False when the
    account locked meanwhile or later tries used the limit up."""
    passed = execute_plain(
        _PASS, {"account": user.id, "moment": moment, "limit": limit, "claimed": claimed}
    ).rowcount
    if passed == 1:
        db.session.expire(user, ["failed_sign_ins", "locked_until"])
    return passed == 1


def release_attempt(user: User) -> None:
    """Give back a try that was neither right nor wrong."""
    execute_plain(_RELEASE, {"account": user.id})
    db.session.expire(user, ["failed_sign_ins"])


def reread_lock(user: User) -> None:
    """Read the account's count and lock again (another request may have locked it)."""
    db.session.refresh(user, ["failed_sign_ins", "locked_until"])


# --- SSO sessions ------------------------------------------------------------------


def add_sso_session(session: SsoSession, user: User, moment: datetime) -> None:
    """Write a new SSO session of ``user`` and their last sign-in time (plain
    statements, not a flush: every sign-in writes them)."""
    insert_row(session)
    execute_plain(_SIGNED_IN_AT, {"account": user.id, "moment": moment})
    set_committed_value(user, "last_sign_in_at", moment)


def sso_session(session_id: str) -> SsoSession | None:
    """The SSO session ``session_id`` (ended or not), or None."""
    return db.session.scalars(_SSO_SESSION, {"sid": session_id}).one_or_none()


def known_sso_session(session_id: str) -> SsoSession | None:
    """The SSO session ``session_id``, from the rows this unit holds when it holds it."""
    return db.session.get(SsoSession, session_id)


def touch_sso_session(session: SsoSession, moment: datetime) -> None:
    """Record that the session was seen at ``moment`` (a plain UPDATE: every page view)."""
    execute_plain(_TOUCH, {"sid": session.id, "moment": moment})
    set_committed_value(session, "last_seen_at", moment)


def live_sso_sessions_of(user: User) -> list[SsoSession]:
    """The account's SSO sessions that have not ended."""
    return list(
        db.session.execute(select(SsoSession).filter_by(user_id=user.id, ended_at=None)).scalars()
    )


# --- Remembered browsers -----------------------------------------------------------


def remembered_device(user: User, purpose: str, token_hash: str) -> RememberedDevice | None:
    """The account's trust of the browser ``token_hash`` for ``purpose`` (expired or not)."""
    return db.session.scalars(
        _REMEMBERED, {"user_id": user.id, "purpose": purpose, "token_hash": token_hash}
    ).one_or_none()


def remembered_devices_of(user: User, moment: datetime) -> list[RememberedDevice]:
    """The browsers the account trusts at ``moment``, newest first."""
    return list(
        db.session.execute(
            select(RememberedDevice)
            .filter_by(user_id=user.id)
            .where(RememberedDevice.expires_at > moment)
            .order_by(RememberedDevice.created_at.desc())
        ).scalars()
    )


def device(device_id: int) -> RememberedDevice | None:
    """The remembered browser ``device_id``, or None."""
    return db.session.get(RememberedDevice, device_id)
