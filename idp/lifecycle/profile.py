"""My Profile (SPEC §3.7): changes a signed-in user makes to their own account.

A new email address or phone number is only *pending* until its code is
confirmed: the pending value is the destination of the user's newest live
``email_change`` / ``phone_change`` code, so nothing about the account
changes before the code is typed.
"""

from __future__ import annotations

from ..audit import record_event
from ..delivery.outbox import send_email, send_sms
from ..errors import (
    NoPendingChange,
    NothingToChange,
    SharedEmailAddress,
    UsernameTaken,
    ValidationFailed,
)
from ..extensions import get_settings, now
from ..messages import message
from ..policy.contact import check_email, check_phone, check_year_of_birth, email_key
from ..policy.names import check_name
from ..policy.usernames import check_username, username_key
from ..store import accounts as store
from ..store.models import AuditEvent, OneTimeCode, User
from . import voice
from .accounts import email_in_use, find_by_username
from .codes import check_resend_allowed, confirm_code, issue_code
from .security_questions import QUESTIONS, set_security_answers

EMAIL_CHANGE = "email_change"
PHONE_CHANGE = "phone_change"
ACTIVITY_KINDS = ("sign_in", "sign_in_failed", "sign_in_refused")
ANSWER_MAX = 100


def update_profile(user: User, first_name: str, last_name: str, year_of_birth) -> None:
    """Update Profile: names and year of birth (ValidationFailed)."""
    errors: dict[str, list[str]] = {}
    names = {}
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        problems, names[field] = check_name(value)
        if problems:
            errors[field] = problems
    year_errors, year = check_year_of_birth(year_of_birth, now().year)
    if year_errors:
        errors["year_of_birth"] = year_errors
    if errors:
        raise ValidationFailed(errors)
    user.first_name, user.last_name, user.year_of_birth = (
        names["first_name"],
        names["last_name"],
        year,
    )
    record_event("profile_updated", user)


def change_username(user: User, new_username: str) -> None:
    """A new One Healthcare ID: the username rules, and not taken (case-insensitive)."""
    errors, username = check_username(new_username, get_settings().username)
    if errors:
        raise ValidationFailed({"username": errors})
    if username == user.username:
        raise NothingToChange(message("same_username"), field="username")
    other = find_by_username(username)
    if other is not None and other.id != user.id:
        raise UsernameTaken()
    old = user.username
    if not store.change_username(user, username, username_key(username)):
        # Another request took the name between the check and the update.
        raise UsernameTaken()
    record_event("username_changed", user, old=old)


def _pending(user: User, purpose: str) -> OneTimeCode | None:
    return store.pending_code_of(user, purpose, now())


def _cancel(user: User, purpose: str) -> None:
    moment = now()
    for row in store.unused_codes_of(user, purpose):
        row.used_at = moment


# --- Email ----------------------------------------------------------------------


def request_email_change(user: User, new_email: str, share: bool = False) -> str:
    """Send a code to the new address; returns it normalized. Nothing changes yet.

    Raises ValidationFailed, NothingToChange, ResendTooSoon, and SharedEmailAddress
    when another ID uses the address and the user has not chosen (``share``) to
    share it.
    """
    errors, address = check_email(new_email)
    if errors:
        raise ValidationFailed({"email": errors})
    if email_key(address) == user.email_key:
        raise NothingToChange(message("same_email"), field="email")
    if not share and email_in_use(address, besides=user):
        raise SharedEmailAddress()
    check_resend_allowed(address, EMAIL_CHANGE)
    _cancel(user, EMAIL_CHANGE)
    _row, plain = issue_code(user, EMAIL_CHANGE, "email", address)
    minutes = get_settings().codes.otp_minutes
    send_email(address, EMAIL_CHANGE, "code", user=user, code=plain, minutes=minutes)
    record_event("email_change_requested", user, to=address)
    return address


def pending_email(user: User) -> str | None:
    """The new address waiting for its code, if any."""
    row = _pending(user, EMAIL_CHANGE)
    return row.destination if row else None


def resend_email_code(user: User) -> str:
    """Send a fresh code to the pending address (ResendTooSoon, NoPendingChange)."""
    address = pending_email(user)
    if address is None:
        raise NoPendingChange()
    _row, plain = issue_code(user, EMAIL_CHANGE, "email", address)
    minutes = get_settings().codes.otp_minutes
    send_email(address, EMAIL_CHANGE, "code", user=user, code=plain, minutes=minutes)
    return address


def confirm_email_change(user: User, typed: str) -> None:
    """Make the pending address the primary one once its code is confirmed.

    The old address is told about the change.
    """
    address = pending_email(user)
    if address is None:
        raise NoPendingChange()
    confirm_code(address, EMAIL_CHANGE, typed, user.id)
    old = user.email
    user.email = address
    user.email_key = email_key(address)
    user.email_verified = True
    send_email(old, "email_changed", "email_changed", user=user, new_email=address)
    record_event("email_changed", user, old=old, new=address)


def cancel_email_change(user: User) -> None:
    """Drop the pending new email address (its codes stop working)."""
    _cancel(user, EMAIL_CHANGE)


# --- Phone ----------------------------------------------------------------------


def request_phone_change(user: User, phone: str, country_code: str, method: str) -> str | None:
    """Send a code (text) or place a call to the new number. Nothing changes yet.

    Returns the code the screen shows for a call, else None. Raises
    ValidationFailed, NothingToChange, ResendTooSoon / ResendLimitReached.
    """
    errors, e164 = check_phone(phone, country_code)
    if errors:
        raise ValidationFailed({"phone": errors})
    if method not in ("sms", "voice"):
        raise ValidationFailed({"method": ["Choose Text Message or Call Me."]})
    if e164 == user.phone and user.phone_verified:
        raise NothingToChange(message("same_phone"), field="phone")
    check_resend_allowed(e164, PHONE_CHANGE)
    _cancel(user, PHONE_CHANGE)
    record_event("phone_change_requested", user, to=e164, method=method)
    if method == "voice":
        return voice.start_call(user, PHONE_CHANGE, e164)
    _row, plain = issue_code(user, PHONE_CHANGE, "sms", e164)
    minutes = get_settings().codes.otp_minutes
    send_sms(e164, PHONE_CHANGE, "code", user=user, code=plain, minutes=minutes)
    return None


def pending_phone(user: User) -> tuple[str, str] | None:
    """``(number, channel)`` of the new phone waiting for its code, if any."""
    row = _pending(user, PHONE_CHANGE)
    return (row.destination, row.channel) if row else None


def _apply_phone(user: User, number: str, method: str) -> None:
    old = user.phone
    user.phone = number
    user.phone_verified = True
    record_event("phone_changed", user, old=old, new=number, method=method)


def confirm_phone_change(user: User, typed: str) -> None:
    """Make the pending number the account's verified phone once its texted code matches."""
    pending = pending_phone(user)
    if pending is None:
        raise NoPendingChange()
    confirm_code(pending[0], PHONE_CHANGE, typed, user.id)
    _apply_phone(user, pending[0], "sms")


def phone_call_status(user: User) -> str:
    """The phone-change call's status, for the page poll."""
    pending = pending_phone(user)
    if pending is None:
        return voice.NONE
    return voice.call_status(pending[0], PHONE_CHANGE)


def confirm_phone_change_call(user: User) -> None:
    """Make the pending number the verified phone once the call got the right digits."""
    pending = pending_phone(user)
    if pending is None:
        raise NoPendingChange()
    voice.confirm_call(pending[0], PHONE_CHANGE)
    _apply_phone(user, pending[0], "voice")


def cancel_phone_change(user: User) -> None:
    """Drop the pending new phone number (its codes stop working)."""
    _cancel(user, PHONE_CHANGE)


# --- Security questions ------------------------------------------------------------


def change_security_questions(user: User, pairs: list[tuple[str, str]]) -> None:
    """Replace all three questions; each must be answered and the questions differ."""
    errors: dict[str, list[str]] = {}
    for n, (question, answer) in enumerate(pairs, start=1):
        if question not in QUESTIONS:
            errors[f"question_{n}"] = [message("question_unknown")]
        if not (answer or "").strip():
            errors[f"answer_{n}"] = [message("answer_required")]
        elif len(answer) > ANSWER_MAX:
            errors[f"answer_{n}"] = [f"Use {ANSWER_MAX} characters or fewer."]
    questions = [q for q, _ in pairs]
    if len(pairs) != 3:
        errors["question_1"] = ["Answer all three security questions."]
    elif len(set(questions)) != len(questions) and not errors:
        errors["question_2"] = [message("questions_distinct")]
    if errors:
        raise ValidationFailed(errors)
    set_security_answers(user, pairs)
    record_event("security_questions_changed", user)


# --- Recent sign-in activity ----------------------------------------------------------


def recent_activity(user: User, limit: int = 10) -> list[AuditEvent]:
    """The user's latest sign-ins, failures and refusals, newest first."""
    return store.latest_events(user, ACTIVITY_KINDS, limit)
