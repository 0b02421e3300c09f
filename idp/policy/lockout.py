"""Lockout and inactivity rules (SPEC §2). Pure: ``now`` is passed in."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class FailureOutcome:
    failed_sign_ins: int
    locked_until: datetime | None


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


def minutes_left(locked_until: datetime, now: datetime) -> int:
    """Whole minutes until the lock lifts, rounded up."""
    return max(1, math.ceil((locked_until - now).total_seconds() / 60))


def after_failed_password(failed_so_far: int, now: datetime, rules) -> FailureOutcome:
    """The count after one more wrong password; the limit-th failure locks."""
    count = failed_so_far + 1
    if rules.max_failed_sign_ins and count >= rules.max_failed_sign_ins:
        return FailureOutcome(count, now + timedelta(minutes=rules.lock_minutes))
    return FailureOutcome(count, None)


def is_inactive(last_activity: datetime, now: datetime, inactivity_days: int) -> bool:
    """No sign-in for ``inactivity_days`` (0 turns the rule off)."""
    return inactivity_days > 0 and now - last_activity >= timedelta(days=inactivity_days)


def answers_blocked_minutes(failures: list[datetime], now: datetime, rules) -> int:
    """Minutes until security answers may be tried again (0: allowed now).

    Wrong answer sets count like wrong passwords: the limit-th within the lock
    time blocks further tries until the lock time has passed since it.
    """
    limit = rules.max_failed_sign_ins
    window = timedelta(minutes=rules.lock_minutes)
    recent = sorted(t for t in failures if now - t < window)
    if not limit or len(recent) < limit:
        return 0
    return minutes_left(recent[-limit] + window, now)
