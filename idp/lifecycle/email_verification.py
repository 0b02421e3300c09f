"""Verify Your Email Address (SPEC §3.3): the activation email, its code and its link.

The email carries a 10-digit code (valid 24 hours) and a one-click link
``/activate/<token>``. The link names the user and the code it stands for and
embeds a digest of the email address and that code's id, so a resend (a new
code) or a changed email kills every older link.
"""

from __future__ import annotations

from flask import current_app

from ..audit import record_event
from ..crypto.link_tokens import LinkTokens
from ..errors import (
    CodeInvalid,
    LinkTokenExpired,
    LinkTokenInvalid,
    LinkTokenStale,
    ResendLimitReached,
    ResendTooSoon,
    TooManyAttempts,
)
from ..extensions import get_clock, get_settings, now
from ..policy.contact import email_key
from ..store import accounts as store
from ..store.models import OneTimeCode, OutboxMessage, User
from .codes import claim_code, confirm_code, issue_code, latest_code

PURPOSE = "email_activation"


def link_tokens() -> LinkTokens:
    """The running app's link tokens (its secret key and the QA-movable clock)."""
    return LinkTokens(current_app.secret_key, lambda: get_clock().timestamp())


def _link_for(user: User, row: OneTimeCode) -> str:
    token = link_tokens().make(
        PURPOSE, {"u": user.id, "c": row.id}, user.id, email_key(user.email), row.id
    )
    return f"{get_settings().issuer}/activate/{token}"


def send_activation_email(user: User, enforce_limits: bool = True) -> OutboxMessage:
    """Issue a new activation code and email it with its link.

    Raises ResendTooSoon or ResendLimitReached when ``enforce_limits`` and the
    address has had too many codes lately.
    """
    from ..delivery.outbox import send_email

    row, plain = issue_code(user, PURPOSE, "email", user.email, enforce_limits=enforce_limits)
    store.add_now(row)  # the link names the code row, so it needs its id
    return send_email(
        user.email,
        PURPOSE,
        "activation",
        user=user,
        code=plain,
        link=_link_for(user, row),
        hours=get_settings().codes.email_activation_hours,
    )


def resend_activation_email(user: User) -> OutboxMessage:
    """ "Resend Code": a new code and link (older ones stop working), within the limits."""
    message = send_activation_email(user)
    return message


def send_activation_if_none_pending(user: User) -> OutboxMessage | None:
    """Email a new activation code unless a usable one is waiting.

    The journey step calls this when it sends an unverified account to "Verify
    Your Email Address", so the email the page speaks of exists; within the
    resend limits, so repeated sign-ins cannot flood an inbox (the page then
    offers "Resend Code", which says why it cannot send).
    """
    if has_live_code(user):
        return None
    try:
        return send_activation_email(user)
    except (ResendTooSoon, ResendLimitReached):
        return None


def has_live_code(user: User) -> bool:
    """Whether the newest activation code for the user's email can still be used."""
    row = latest_code(user.email, PURPOSE, user.id)
    rules = get_settings().codes
    return (
        row is not None
        and row.used_at is None
        and row.attempts < rules.max_attempts
        and now() < row.expires_at
    )


def _mark_verified(user: User, how: str) -> None:
    user.email_verified = True
    record_event("email_verified", user, method=how)


def confirm_activation_code(user: User, typed: str) -> None:
    """Verify the user's email with the typed code; raises CodeInvalid/CodeExpired/
    TooManyAttempts (wrong tries are counted)."""
    confirm_code(user.email, PURPOSE, typed, user.id)
    _mark_verified(user, "code")


def _read_activation_link(token: str) -> tuple[User, OneTimeCode]:
    """The account and code a link names; raises LinkTokenInvalid or LinkTokenExpired."""
    rules = get_settings().codes
    link = link_tokens().read(PURPOSE, token, rules.email_activation_hours * 3600)
    user_id, code_id = link.subject.get("u"), link.subject.get("c")
    if not isinstance(user_id, int) or not isinstance(code_id, int):
        raise LinkTokenInvalid()
    user = store.account(user_id)
    if user is None:
        raise LinkTokenInvalid()
    current = latest_code(user.email, PURPOSE, user.id)
    if current is None:
        raise LinkTokenInvalid()
    link.check_state(user.id, email_key(user.email), current.id)
    return user, current


def check_activation_link(token: str) -> tuple[User, bool]:
    """What opening an activation link shows, changing nothing: ``(user, verified_already)``.

    The same errors as ``activate_by_link``; verifying waits for "Continue", so a
    mail scanner that opens the link verifies nothing.
    """
    user, current = _read_activation_link(token)
    if current.used_at is not None:
        if user.email_verified:
            return user, True
        raise LinkTokenStale()
    if current.attempts >= get_settings().codes.max_attempts:
        raise TooManyAttempts()
    if now() >= current.expires_at:
        raise LinkTokenExpired()
    return user, False


def activate_by_link(token: str) -> tuple[User, bool]:
    """Verify an email from its activation link ("Continue"); returns ``(user, newly_verified)``.

    Raises LinkTokenInvalid (changed, unknown), LinkTokenStale (a newer code was
    sent) or LinkTokenExpired. A link used again after it worked answers
    ``newly_verified=False`` rather than an error.
    """
    user, already = check_activation_link(token)
    if already:
        return user, False
    current = latest_code(user.email, PURPOSE, user.id)
    if not claim_code(current, now()):
        # Another request used this code a moment ago.
        store.reread(user)
        if user.email_verified:
            return user, False
        raise CodeInvalid()
    _mark_verified(user, "link")
    return user, True
