"""The second factor ("Verify your identity", SPEC §3.1) and an account's methods.

After the password, an account with an authenticator app or a passkey (or a
portal asking for multi-factor with ``acr_values``) must verify with one of
the methods it has: authenticator code, text code, call, email code,
passkey, or the recovery code. Wrong answers count towards the account
lockout exactly like wrong passwords.

Codes by text, call and email are the shared one-time codes
(``lifecycle.codes``). A call speaks the 6-digit code and the user types it
on the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..audit import record_event
from ..delivery.outbox import place_call, send_email, send_sms
from ..errors import (
    AccountLocked,
    CodeInvalid,
    MethodUnavailable,
    PasskeyRejected,
    RecoveryCodeInvalid,
    SecurityAnswerWrong,
    TooManyAttempts,
    TotpCodeInvalid,
    TotpCodeReused,
)
from ..extensions import db, get_settings, now
from ..models import OutboxMessage, SsoSession, User
from ..policy.lockout import after_failed_password, is_locked, minutes_left
from ..policy.mfa import CODE_METHOD_AMR, METHODS, acr_for, passkey_amr, with_second_factor
from .authenticators import (
    check_authenticator_code,
    confirmed_authenticators,
    remove_authenticator,
)
from .codes import confirm_code, issue_code
from .passkeys import finish_passkey_sign_in, passkeys_of, remove_passkey
from .recovery_codes import (
    drop_recovery_code,
    has_recovery_code,
    issue_recovery_code,
    use_recovery_code,
)

MFA_PURPOSE = "mfa"
CODE_METHODS = ("sms", "call", "email")
CHANNEL_OF = {"sms": "sms", "call": "voice", "email": "email"}

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


@dataclass(frozen=True)
class SecondFactor:
    """A passed second factor: the amr values it adds, and a recovery code to show."""

    method: str
    amr: list[str]
    new_recovery_code: str | None = None


def has_strong_method(user: User) -> bool:
    """Whether the account has an authenticator app or a passkey (second factor due)."""
    return bool(confirmed_authenticators(user) or passkeys_of(user))


def available_methods(user: User) -> list[str]:
    """The second-factor methods ``user`` can use, in the order they are offered."""
    strong_app = bool(confirmed_authenticators(user))
    strong_key = bool(passkeys_of(user))
    phone = bool(user.phone and user.phone_verified)
    have = {
        "authenticator": strong_app,
        "passkey": strong_key,
        "sms": phone,
        "call": phone,
        "email": bool(user.email_verified),
        "recovery": (strong_app or strong_key) and has_recovery_code(user),
    }
    return [method for method in METHODS if have[method]]


def code_destination(user: User, method: str) -> str:
    return user.email if method == "email" else (user.phone or "")


def spoken_code(code: str) -> str:
    """A code as an automated call reads it: digit by digit."""
    return ", ".join(code)


def send_one_time_code(user: User, method: str, destination: str, purpose: str) -> OutboxMessage:
    """Text, call or email a new 6-digit code for ``purpose`` (committed).

    Raises ResendTooSoon / ResendLimitReached when the limits say wait.
    """
    minutes = get_settings().codes.otp_minutes
    _, plain = issue_code(user, purpose, CHANNEL_OF[method], destination)
    if method == "sms":
        message = send_sms(destination, purpose, "code", user=user, code=plain, minutes=minutes)
    elif method == "email":
        message = send_email(destination, purpose, "code", user=user, code=plain, minutes=minutes)
    else:
        body = (
            f"This is One Healthcare ID. Your verification code is {spoken_code(plain)}. "
            f"Again, your code is {spoken_code(plain)}. Type it on the screen to continue."
        )
        message = place_call(destination, purpose, body, user=user, code=plain)
    db.session.commit()
    return message


def confirm_sent_code(user: User, method: str, destination: str, purpose: str, typed: str) -> None:
    """Accept the code sent to ``destination``; raises the code errors."""
    row = confirm_code(destination, purpose, typed)
    if row.user_id != user.id:
        raise CodeInvalid()


def send_second_factor_code(user: User, method: str) -> OutboxMessage:
    """Send a text, call or email code for the second factor."""
    if method not in CODE_METHODS or method not in available_methods(user):
        raise MethodUnavailable()
    refuse_if_locked(user)
    return send_one_time_code(user, method, code_destination(user, method), MFA_PURPOSE)


def refuse_if_locked(user: User) -> None:
    """A sign-in step may not go on for an account that locked meanwhile."""
    moment = now()
    if is_locked(user.locked_until, moment):
        raise AccountLocked(minutes=minutes_left(user.locked_until, moment))


def count_failed_verification(user: User, step: str) -> None:
    """One more wrong answer at a sign-in step; the limit-th locks the account (committed)."""
    moment = now()
    outcome = after_failed_password(user.failed_sign_ins, moment, get_settings().lockout)
    user.failed_sign_ins = outcome.failed_sign_ins
    record_event("verification_failed", user, step=step, count=outcome.failed_sign_ins)
    if outcome.locked_until is not None:
        user.locked_until = outcome.locked_until
        record_event("account_locked", user, until=outcome.locked_until.isoformat())
        db.session.commit()
        raise AccountLocked(minutes=minutes_left(outcome.locked_until, moment))
    db.session.commit()


def verify_second_factor(
    user: User,
    method: str,
    typed: str = "",
    ceremony_id: str | None = None,
    credential: str | None = None,
) -> SecondFactor:
    """Check the second factor the user picked; wrong answers count towards the lockout."""
    if method not in available_methods(user):
        raise MethodUnavailable()
    refuse_if_locked(user)
    new_recovery_code = None
    try:
        if method == "authenticator":
            check_authenticator_code(user, typed)
            amr = [CODE_METHOD_AMR[method]]
        elif method == "passkey":
            _, assertion = finish_passkey_sign_in(ceremony_id, credential, user)
            amr = passkey_amr(assertion.device_type, user_verified=False)
        elif method == "recovery":
            new_recovery_code = use_recovery_code(user, typed)
            amr = [CODE_METHOD_AMR[method]]
        else:
            confirm_sent_code(user, method, code_destination(user, method), MFA_PURPOSE, typed)
            amr = [CODE_METHOD_AMR[method]]
    except WRONG_GUESSES:
        count_failed_verification(user, "second_factor")
        raise
    user.failed_sign_ins = 0
    record_event("second_factor_passed", user, method=method)
    db.session.commit()
    return SecondFactor(method, amr, new_recovery_code)


def add_second_factor_to_sso(sso_id: str, methods: list[str]) -> SsoSession | None:
    """A signed-in user passed a second factor (step-up): record it on their SSO session."""
    sso = db.session.get(SsoSession, sso_id)
    if sso is None:
        return None
    sso.amr = with_second_factor(list(sso.amr or []), methods)
    sso.acr = acr_for(sso.amr)
    db.session.commit()
    return sso


def first_recovery_code(user: User) -> str | None:
    """After a passkey or authenticator is set up: the recovery code to show, if it is new.

    The first strong method gets the account its recovery code (SPEC §3.5);
    later ones keep the code the user already saved.
    """
    if has_recovery_code(user):
        return None
    plain = issue_recovery_code(user)
    db.session.commit()
    return plain


def remove_method(user: User, kind: str, method_id: int) -> bool:
    """Remove a passkey or authenticator of ``user``; False if it is not theirs.

    With no passkey or authenticator left the recovery code has nothing to
    stand in for, so it is retired (the next setup shows a new one).
    """
    removed = (
        remove_passkey(user, method_id)
        if kind == "passkey"
        else remove_authenticator(user, method_id)
    )
    if not removed:
        return False
    db.session.flush()
    if not has_strong_method(user):
        drop_recovery_code(user)
    db.session.commit()
    return True
