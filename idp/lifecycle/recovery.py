"""Forgot One Healthcare ID, forgot password, and unlocking (SPEC §3.6, §3.1).

Recovering a password: find the account, verify the person through one of the
account's verified channels (email, text, call) or its security questions,
then set a new password. A finished reset unlocks and reactivates the account
and ends its other SSO sessions. The web layer keeps a *ticket* (a small dict
in the browser session) between the steps; it dies after ``TICKET_MINUTES`` or
as soon as the password changes, so a copied cookie cannot reset twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..audit import add_event, record_event
from ..crypto.digests import token_digest
from ..delivery.outbox import send_email, send_sms
from ..errors import (
    AccountNotFound,
    AnswersBlocked,
    AnswersWrong,
    NoRecoveryOptions,
    NoSecurityQuestions,
    NotLocked,
    RecoveryExpired,
    SharedEmailNeedsId,
    ValidationFailed,
)
from ..extensions import get_settings, now
from ..messages import message
from ..policy.codes import may_send
from ..policy.contact import check_email, mask_email, phone_last_four
from ..policy.lockout import answers_blocked_minutes, is_locked
from ..store import db
from ..store.models import AuditEvent, OutboxMessage, User
from . import voice
from .accounts import find_account, find_accounts, find_all_by_email, hold_account_row
from .codes import confirm_code, issue_code
from .notifications import notify
from .password_change import end_other_sessions, revoke_tokens_of, set_password
from .security_questions import check_security_answer

RESET_PURPOSE = "password_reset"
FORGOT_ID_PURPOSE = "forgot_id"
TICKET_MINUTES = 30
METHODS = ("email", "sms", "voice", "questions")


# --- Forgot One Healthcare ID ---------------------------------------------------


def send_forgotten_id(email: str) -> None:
    """Email every One Healthcare ID registered to ``email`` (several may share it), if any.

    The caller says the same thing either way. A bad address raises
    ValidationFailed. Repeats within the resend cool-down or over the hourly
    cap are dropped silently, so the page cannot be used to flood a mailbox.
    """
    errors, normalized = check_email(email)
    if errors:
        raise ValidationFailed({"email": errors})
    accounts = find_all_by_email(normalized)
    if not accounts:
        record_event("forgot_id_requested", username=None, found=False)
        db.session.commit()
        return
    user = accounts[0]
    sent = db.session.execute(
        db.select(OutboxMessage.created_at).filter_by(to=user.email, purpose=FORGOT_ID_PURPOSE)
    ).scalars()
    if not may_send(list(sent), now(), get_settings().codes).allowed:
        record_event("forgot_id_requested", user, found=True, sent=False)
        db.session.commit()
        return
    send_email(
        user.email,
        FORGOT_ID_PURPOSE,
        "forgot_id",
        user=user,
        accounts=accounts,
        link=get_settings().issuer + "/signin",
    )
    record_event("forgot_id_requested", user, found=True, sent=True, ids=len(accounts))
    db.session.commit()


# --- Verify your identity -------------------------------------------------------


@dataclass(frozen=True)
class RecoveryOption:
    """One way the user may prove who they are, as "Verify your identity" shows it."""

    method: str
    label: str
    # Where the code goes, masked: "q***@example.com" or "the phone number ending in 0100".
    masked: str = ""


def has_security_questions(user: User) -> bool:
    """Whether the account has all three security questions."""
    return len(user.security_answers) >= 3


def recovery_options(user: User) -> list[RecoveryOption]:
    """The account's verified channels, masked as OHID shows them."""
    options = []
    if user.email_verified:
        email = mask_email(user.email)
        options.append(RecoveryOption("email", f"Email a code to {email}", email))
    if user.phone and user.phone_verified:
        phone = f"the phone number ending in {phone_last_four(user.phone)}"
        options.append(RecoveryOption("sms", f"Text a code to {phone}", phone))
        options.append(RecoveryOption("voice", f"Call {phone}", phone))
    if has_security_questions(user):
        options.append(RecoveryOption("questions", "Answer my security questions"))
    return options


def begin_recovery(identifier: str) -> User:
    """Find the account to recover; sends the "Account Recovery Attempt" notice.

    Raises AccountNotFound, SharedEmailNeedsId when several IDs share that email
    (recovery is per ID), or NoRecoveryOptions when nothing can verify the user.
    """
    accounts = find_accounts(identifier)
    if len(accounts) > 1:
        raise SharedEmailNeedsId(text=message("recover_shared_email"))
    user = accounts[0] if accounts else None
    if user is None:
        raise AccountNotFound()
    if not recovery_options(user):
        raise NoRecoveryOptions(support_phone=get_settings().server.support_phone)
    record_event("recovery_started", user)
    notify(user, "account_recovery_attempt")
    db.session.commit()
    return user


def destination_of(user: User, method: str) -> str:
    """Where a code sent by ``method`` goes: the email address or the phone."""
    return user.email if method == "email" else user.phone or ""


def _check_method(user: User, method: str) -> None:
    if method not in {o.method for o in recovery_options(user)}:
        raise ValidationFailed({"method": ["Choose how you want to verify your identity."]})


def send_recovery_code(user: User, method: str) -> str | None:
    """Send a reset code by ``method`` (email, sms, voice).

    For a call, returns the code the screen shows (the user keys it in on the
    call); otherwise None. Raises ResendTooSoon / ResendLimitReached.
    """
    _check_method(user, method)
    destination = destination_of(user, method)
    if method == "voice":
        return voice.start_call(user, RESET_PURPOSE, destination)
    channel = "email" if method == "email" else "sms"
    _row, plain = issue_code(user, RESET_PURPOSE, channel, destination)
    minutes = get_settings().codes.otp_minutes
    if method == "email":
        send_email(destination, RESET_PURPOSE, "code", user=user, code=plain, minutes=minutes)
    else:
        send_sms(destination, RESET_PURPOSE, "code", user=user, code=plain, minutes=minutes)
    db.session.commit()
    return None


def confirm_recovery_code(user: User, method: str, typed: str) -> None:
    """Accept the emailed or texted code (CodeInvalid / CodeExpired / TooManyAttempts)."""
    _check_method(user, method)
    confirm_code(destination_of(user, method), RESET_PURPOSE, typed, user.id)
    record_event("recovery_verified", user, method=method)
    db.session.commit()


def recovery_call_status(user: User) -> str:
    """The reset call's status for the page poll (see ``voice.call_status``)."""
    return voice.call_status(destination_of(user, "voice"), RESET_PURPOSE)


def confirm_recovery_call(user: User) -> None:
    """Accept the call once the right digits were keyed in (CallNotAnswered, ...)."""
    _check_method(user, "voice")
    voice.confirm_call(destination_of(user, "voice"), RESET_PURPOSE)
    record_event("recovery_verified", user, method="voice")
    db.session.commit()


ANSWERS_FAILED = "security_answers_failed"
# A set of answers being checked: counted like a failure until it is judged.
ANSWERS_TRIED = "security_answers_tried"


def _claim_answer_try(user: User) -> AuditEvent:
    """Claim a try at the security answers (committed): its event, counted until judged.

    The account row is locked first (an UPDATE: SQLite's write lock, PostgreSQL's
    row lock) so that parallel tries are counted one after the other and at
    most the limit are judged. Raises AnswersBlocked when no try is left.
    """
    db.session.commit()
    hold_account_row(user)
    moment = now()
    rules = get_settings().lockout
    since = moment - timedelta(minutes=rules.lock_minutes)
    tries = db.session.execute(
        db.select(AuditEvent.created_at).where(
            AuditEvent.user_id == user.id,
            AuditEvent.kind.in_((ANSWERS_FAILED, ANSWERS_TRIED)),
            AuditEvent.created_at > since,
        )
    ).scalars()
    blocked = answers_blocked_minutes(list(tries), moment, rules)
    if blocked:
        db.session.rollback()
        raise AnswersBlocked(minutes=blocked)
    attempt = add_event(ANSWERS_TRIED, user)
    db.session.commit()
    return attempt


def _judge_answer_try(attempt: AuditEvent, kind: str) -> None:
    attempt.kind = kind
    db.session.commit()


def answer_security_questions(user: User, answers: list[str]) -> None:
    """All three answers must match; wrong sets count toward a temporary block.

    Each set is claimed before the slow answer checks (``_claim_answer_try``).
    Raises NoSecurityQuestions, AnswersBlocked or AnswersWrong.
    """
    if not has_security_questions(user):
        raise NoSecurityQuestions()
    attempt = _claim_answer_try(user)
    results = [
        check_security_answer(user, row.position, answer)
        for row, answer in zip(user.security_answers, answers, strict=False)
    ]
    if len(results) < len(user.security_answers) or not all(results):
        _judge_answer_try(attempt, ANSWERS_FAILED)
        raise AnswersWrong()
    _judge_answer_try(attempt, "security_answers_passed")


# --- New password ---------------------------------------------------------------


def reset_password(
    user: User, new_password: str, confirm_password: str, keep_session_id: str | None = None
) -> None:
    """Set the new password; unlock, reactivate, end the account's other sessions and
    revoke its tokens (whoever needed the reset may not be the only one holding them)."""
    set_password(
        user,
        new_password,
        confirm_password,
        reason="reset",
        keep_session_id=keep_session_id,
        commit=False,
    )
    if is_locked(user.locked_until, now()):
        record_event("account_unlocked", user, method="password_reset")
    if user.deactivated_at is not None:
        record_event("account_reactivated", user, method="password_reset")
    user.failed_sign_ins = 0
    user.locked_until = None
    user.deactivated_at = None
    revoke_tokens_of(user, reason="password_reset")
    db.session.commit()
    end_other_sessions(user, keep_session_id, reason="password_reset")


# --- Unlock with the security questions ---------------------------------------------


def begin_unlock(identifier: str) -> User:
    """Find a locked account to unlock with its security questions.

    Raises AccountNotFound, SharedEmailNeedsId, NotLocked or NoSecurityQuestions.
    """
    if len(find_accounts(identifier)) > 1:
        raise SharedEmailNeedsId(text=message("recover_shared_email"))
    user = find_account(identifier)
    if user is None:
        raise AccountNotFound()
    if not is_locked(user.locked_until, now()):
        raise NotLocked()
    if not has_security_questions(user):
        raise NoSecurityQuestions()
    record_event("recovery_started", user, purpose="unlock")
    notify(user, "account_recovery_attempt")
    db.session.commit()
    return user


def unlock_with_security_answers(user: User, answers: list[str]) -> None:
    """Unlock the account when all three answers match (AnswersWrong, AnswersBlocked)."""
    answer_security_questions(user, answers)
    user.failed_sign_ins = 0
    user.locked_until = None
    record_event("account_unlocked", user, method="security_questions")
    db.session.commit()


# --- The ticket kept between the steps ---------------------------------------------


def _stamp(user: User) -> str:
    # Changes whenever the password does, which ends every ticket issued before.
    return token_digest(f"{user.id}:{user.password_hash}")


def new_ticket(user: User, purpose: str = "reset") -> dict:
    """The state a browser carries between recovery steps."""
    return {
        "user_id": user.id,
        "purpose": purpose,
        "started": now().isoformat(),
        "stamp": _stamp(user),
        "method": None,
        "verified": False,
    }


def load_ticket(ticket: dict | None, purpose: str = "reset") -> User:
    """The account a live ticket is for; RecoveryExpired when it is old or spent."""
    if not ticket or ticket.get("purpose") != purpose:
        raise RecoveryExpired()
    user = db.session.get(User, ticket.get("user_id"))
    try:
        started = datetime.fromisoformat(ticket["started"])
    except (KeyError, TypeError, ValueError):
        raise RecoveryExpired() from None
    fresh = timedelta(0) <= now() - started < timedelta(minutes=TICKET_MINUTES)
    if user is None or not fresh or ticket.get("stamp") != _stamp(user):
        raise RecoveryExpired()
    return user
