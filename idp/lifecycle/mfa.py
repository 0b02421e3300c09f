"""What the sign-in steps after the password share (SPEC §3.1): sent codes and the lockout.

The second factor (``lifecycle.second_factors``), the unrecognized-device
check and the phone step-up all send codes by text, call or email (the shared
one-time codes of ``lifecycle.codes``; a call speaks the 6-digit code and the
user types it on the page), and count wrong answers towards the account
lockout exactly like wrong passwords.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..audit import record_event
from ..errors import (
    AccountLocked,
    CodeInvalid,
    DomainError,
    PasskeyRejected,
    RecoveryCodeInvalid,
    SecurityAnswerWrong,
    TooManyAttempts,
    TotpCodeInvalid,
    TotpCodeReused,
)
from ..extensions import now
from ..policy.lockout import is_locked, minutes_left
from ..policy.mfa import acr_for, with_second_factor
from ..store import sign_in as store
from ..store.models import SsoSession, User
from .attempts import (
    claim_sign_in_attempt,
    fail_sign_in_attempt,
    pass_sign_in_attempt,
    release_sign_in_attempt,
)
from .codes import confirm_code
from .recovery_codes import has_recovery_code, issue_recovery_code

T = TypeVar("T")

MFA_PURPOSE = "mfa"

# Answers that are wrong guesses: each one counts towards the lockout.
WRONG_GUESSES = (
    TotpCodeInvalid,
    TotpCodeReused,
    RecoveryCodeInvalid,
    CodeInvalid,
    TooManyAttempts,
    PasskeyRejected,
    SecurityAnswerWrong,
)


def confirm_sent_code(user: User, method: str, destination: str, purpose: str, typed: str) -> None:
    """Accept the code sent to ``destination``; raises the code errors."""
    row = confirm_code(destination, purpose, typed, user.id)
    if row.user_id != user.id:
        raise CodeInvalid()


def refuse_if_locked(user: User) -> None:
    """A sign-in step may not go on for an account that locked meanwhile."""
    moment = now()
    if is_locked(user.locked_until, moment):
        raise AccountLocked(minutes=minutes_left(user.locked_until, moment))


def count_failed_verification(user: User, step: str, claimed: int) -> None:
    """A claimed try at a sign-in step was wrong; the limit-th locks the account."""
    moment = now()
    outcome = fail_sign_in_attempt(user, claimed, moment)
    record_event("verification_failed", user, step=step, count=outcome.failed_sign_ins)
    if outcome.locked_until is not None:
        record_event("account_locked", user, until=outcome.locked_until.isoformat())
        raise AccountLocked(minutes=minutes_left(outcome.locked_until, moment))


def judge_sign_in_step(user: User, step: str, check: Callable[[], T]) -> T:
    """Claim a try, run the (slow) ``check``, count it: wrong answers towards the lockout.

    Raises AccountLocked when no try is left, or when parallel wrong tries used
    the limit up while a right answer was being checked.
    """
    claimed = claim_sign_in_attempt(user)
    try:
        result = check()
    except WRONG_GUESSES:
        count_failed_verification(user, step, claimed)
        raise
    except DomainError:
        release_sign_in_attempt(user)
        raise
    pass_sign_in_attempt(user, claimed)
    return result


def add_second_factor_to_sso(sso_id: str, methods: list[str]) -> SsoSession | None:
    """A signed-in user passed a second factor (step-up): record it on their SSO session."""
    sso = store.known_sso_session(sso_id)
    if sso is None:
        return None
    sso.amr = with_second_factor(list(sso.amr or []), methods)
    sso.acr = acr_for(sso.amr)
    return sso


def first_recovery_code(user: User) -> str | None:
    """After a passkey or authenticator is set up: the recovery code to show, if it is new.

    The first strong method gets the account its recovery code (SPEC §3.5);
    later ones keep the code the user already saved.
    """
    if has_recovery_code(user):
        return None
    plain = issue_recovery_code(user)
    return plain
