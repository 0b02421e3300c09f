"""Sign-in attempts claimed before they are judged, so parallel tries cannot pass the limit.

Every try at a sign-in step (password, second factor, unrecognized-device
check) first claims one of the account's tries with a conditional
``UPDATE users SET failed_sign_ins = failed_sign_ins + 1 WHERE failed_sign_ins
< limit``: the database hands out at most ``limit`` tries however many
requests arrive together (SQLite takes its write lock for the statement,
PostgreSQL re-checks the condition on the locked row). Only then comes the
slow check. A wrong answer keeps its claim and the limit-th locks the account;
a right one resets the count, unless tries claimed after it used the limit up
meanwhile: then the lock wins.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, or_, update

from ..audit import record_event
from ..errors import AccountLocked
from ..extensions import get_settings, now
from ..policy.lockout import FailureOutcome, after_failed_password, is_locked, minutes_left
from ..store import db, execute_plain
from ..store.models import User

# "No limit" (a limit of 0 in the settings) as a count no account reaches.
_NO_LIMIT = 2**31 - 1

# The statements are built once: SQLAlchemy caches each one's compiled form by the
# statement object, and building a new one per call cost four times its execution.
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


def _limit() -> int:
    return get_settings().lockout.max_failed_sign_ins or _NO_LIMIT


def _locked_error(user: User, moment: datetime) -> AccountLocked:
    db.session.refresh(user)
    if is_locked(user.locked_until, moment):
        return AccountLocked(minutes=minutes_left(user.locked_until, moment))
    # The tries are used up by requests still being judged: the lock is a moment away.
    return AccountLocked(minutes=get_settings().lockout.lock_minutes)


def end_expired_lock(user: User, moment: datetime) -> None:
    """A lock that has run out gives the full number of tries again (once, committed)."""
    seen = user.locked_until
    if seen is None or is_locked(seen, moment):
        return
    ended = execute_plain(_END_EXPIRED_LOCK, {"account": user.id, "seen": seen}).rowcount
    db.session.expire(user, ["locked_until", "failed_sign_ins"])
    if ended == 1:
        record_event("account_unlocked", user, method="lock_expired")
    db.session.commit()


def claim_sign_in_attempt(user: User) -> int:
    """Claim one try at a sign-in step (committed); returns its number.

    Raises AccountLocked when the account is locked or its tries are used up.
    """
    moment = now()
    end_expired_lock(user, moment)
    claimed = execute_plain(
        _CLAIM, {"account": user.id, "moment": moment, "limit": _limit()}
    ).scalar_one_or_none()
    db.session.commit()
    db.session.expire(user, ["failed_sign_ins"])
    if claimed is None:
        raise _locked_error(user, moment)
    return claimed


def fail_sign_in_attempt(user: User, claimed: int, moment: datetime) -> FailureOutcome:
    """A claimed try was wrong: it stays counted; the limit-th locks (not committed)."""
    outcome = after_failed_password(claimed - 1, moment, get_settings().lockout)
    if outcome.locked_until is not None:
        execute_plain(_LOCK, {"account": user.id, "moment": moment, "until": outcome.locked_until})
        db.session.expire(user, ["locked_until"])
    return outcome


def pass_sign_in_attempt(user: User, claimed: int) -> None:
    """A claimed try was right: reset the count (committed).

    Raises AccountLocked when the account locked meanwhile, or when tries
    claimed after this one used the limit up (they lock it as they fail).
    """
    moment = now()
    passed = execute_plain(
        _PASS, {"account": user.id, "moment": moment, "limit": _limit(), "claimed": claimed}
    ).rowcount
    if passed != 1:
        db.session.rollback()
        raise _locked_error(user, moment)
    db.session.expire(user, ["failed_sign_ins", "locked_until"])


def release_sign_in_attempt(user: User) -> None:
    """A claimed try was neither right nor wrong (an expired code, say): give it back."""
    execute_plain(_RELEASE, {"account": user.id})
    db.session.expire(user, ["failed_sign_ins"])
    db.session.commit()
