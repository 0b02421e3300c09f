"""Sign-in attempts claimed before they are judged, so parallel tries cannot pass the limit.

Every try at a sign-in step (password, second factor, unrecognized-device
check) first claims one of the account's tries atomically
(``store.sign_in.claim_attempt``: the database hands out at most ``limit``
tries however many requests arrive together). The claim is committed at once
so that the slow check runs without the write lock. A wrong answer keeps its
claim and the limit-th locks the account; a right one resets the count,
unless tries claimed after it used the limit up meanwhile: then the lock wins.
"""

from __future__ import annotations

from datetime import datetime

from ..audit import record_event
from ..errors import AccountLocked
from ..extensions import get_settings, now
from ..policy.lockout import FailureOutcome, after_failed_password, is_locked, minutes_left
from ..store import sign_in as store
from ..store.models import User
from ..store.units import commit_now

# "No limit" (a limit of 0 in the settings) as a count no account reaches.
_NO_LIMIT = 2**31 - 1


def _limit() -> int:
    return get_settings().lockout.max_failed_sign_ins or _NO_LIMIT


def _locked_error(user: User, moment: datetime) -> AccountLocked:
    store.reread_lock(user)
    if is_locked(user.locked_until, moment):
        return AccountLocked(minutes=minutes_left(user.locked_until, moment))
    # The tries are used up by requests still being judged: the lock is a moment away.
    return AccountLocked(minutes=get_settings().lockout.lock_minutes)


def end_expired_lock(user: User, moment: datetime) -> None:
    """A lock that has run out gives the full number of tries again (once)."""
    seen = user.locked_until
    if seen is None or is_locked(seen, moment):
        return
    if store.end_expired_lock(user, seen):
        record_event("account_unlocked", user, method="lock_expired")


def claim_sign_in_attempt(user: User) -> int:
    """Claim one try at a sign-in step (committed at once); returns its number.

    Raises AccountLocked when the account is locked or its tries are used up.
    """
    moment = now()
    end_expired_lock(user, moment)
    claimed = store.claim_attempt(user, moment, _limit())
    commit_now("sign-in try claimed")
    if claimed is None:
        raise _locked_error(user, moment)
    return claimed


def fail_sign_in_attempt(user: User, claimed: int, moment: datetime) -> FailureOutcome:
    """A claimed try was wrong: it stays counted; the limit-th locks."""
    outcome = after_failed_password(claimed - 1, moment, get_settings().lockout)
    if outcome.locked_until is not None:
        store.lock_account_until(user, moment, outcome.locked_until)
    return outcome


def pass_sign_in_attempt(user: User, claimed: int) -> None:
    """A claimed try was right: reset the count.

    Raises AccountLocked when the account locked meanwhile, or when tries
    claimed after this one used the limit up (they lock it as they fail).
    """
    moment = now()
    if not store.pass_attempt(user, moment, _limit(), claimed):
        raise _locked_error(user, moment)


def release_sign_in_attempt(user: User) -> None:
    """A claimed try was neither right nor wrong (an expired code, say): give it back."""
    store.release_attempt(user)
