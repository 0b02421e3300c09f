"""Putting an account into a given state: what QA scripts and the CLI do to set up a test.

These are administrative changes (no history or rule checks beyond the field
rules); the user-facing flows go through their own lifecycle modules.
"""

from __future__ import annotations

from datetime import timedelta

from ..audit import record_event
from ..errors import UsernameTaken, ValidationFailed
from ..extensions import get_hashing, get_settings, now
from ..policy.contact import check_email, check_phone, check_year_of_birth, email_key
from ..policy.names import check_name
from ..policy.passwords import check_password
from ..policy.usernames import check_username, username_key
from ..store.models import PasswordHistory, User
from .accounts import find_by_username


def lock_account(user: User, minutes: int | None = None) -> None:
    """Lock as if the failed sign-in limit was reached (for ``minutes``, default the setting)."""
    rules = get_settings().lockout
    user.locked_until = now() + timedelta(
        minutes=rules.lock_minutes if minutes is None else minutes
    )
    user.failed_sign_ins = max(user.failed_sign_ins, rules.max_failed_sign_ins)
    record_event("account_locked", user, by="admin")


def unlock_account(user: User) -> None:
    user.locked_until = None
    user.failed_sign_ins = 0
    record_event("account_unlocked", user, by="admin")


def deactivate_account(user: User) -> None:
    user.deactivated_at = now()
    record_event("account_deactivated", user, reason="admin")


def reactivate_account(user: User) -> None:
    user.deactivated_at = None
    user.last_sign_in_at = now()
    record_event("account_reactivated", user, by="admin")


def age_password(user: User, days: int) -> None:
    """Make the current password ``days`` old (91 makes it expired by default)."""
    user.password_changed_at = now() - timedelta(days=days)
    record_event("password_aged", user, days=days)


def _checked_password(user: User, password: str, username: str) -> str:
    errors = check_password(password, get_settings().password, username)
    if errors:
        raise ValidationFailed({"password": errors})
    return password


def force_password(user: User, password: str) -> None:
    """Set a password that meets the rules, bypassing the history rule."""
    _store_password(user, _checked_password(user, password, user.username))


def _store_password(user: User, password: str) -> None:
    hashed = get_hashing().hash(password)
    moment = now()
    user.password_hash = hashed
    user.password_changed_at = moment
    user.password_history.insert(0, PasswordHistory(password_hash=hashed, created_at=moment))
    record_event("password_changed", user, by="admin")


def apply_changes(user: User, changes: dict) -> User:
    """Apply QA/CLI changes to an account, validating every field; raises before
    changing anything when one is wrong."""
    return change_account(user, changes)


def change_account(user: User, changes: dict) -> User:
    """Apply QA/CLI changes to an account, validating every field first: a wrong one
    raises and changes nothing (written with the caller's unit of work)."""
    errors: dict[str, list[str]] = {}
    settings = get_settings()
    values: dict = {}
    if "username" in changes:
        problems, value = check_username(changes["username"], settings.username)
        other = find_by_username(value) if not problems else None
        if problems:
            errors["username"] = problems
        elif other is not None and other.id != user.id:
            raise UsernameTaken()
        else:
            values.update(username=value, username_key=username_key(value))
    if "email" in changes:
        # Several IDs may share an email (SPEC §3.2), so any valid address is taken.
        problems, value = check_email(changes["email"])
        if problems:
            errors["email"] = problems
        else:
            values.update(email=value, email_key=email_key(value))
    for name in ("first_name", "last_name"):
        if name in changes:
            problems, value = check_name(changes[name], required=False)
            if problems:
                errors[name] = problems
            else:
                values[name] = value
    if "year_of_birth" in changes:
        if changes["year_of_birth"] is None:
            values["year_of_birth"] = None
        else:
            problems, year = check_year_of_birth(changes["year_of_birth"], now().year)
            if problems:
                errors["year_of_birth"] = problems
            else:
                values["year_of_birth"] = year
    if "phone" in changes:
        if not changes["phone"]:
            values.update(phone=None, phone_verified=False)
        else:
            problems, value = check_phone(changes["phone"])
            if problems:
                errors["phone"] = problems
            elif value != user.phone:
                values.update(phone=value, phone_verified=False)
    if errors:
        raise ValidationFailed(errors)
    password = None
    if "password" in changes:
        password = _checked_password(
            user, changes["password"], values.get("username", user.username)
        )
    for name, value in values.items():
        setattr(user, name, value)
    if password is not None:
        _store_password(user, password)
    for name in ("email_verified", "phone_verified"):
        if name in changes:
            setattr(
                user, name, bool(changes[name]) and (name != "phone_verified" or bool(user.phone))
            )
    if "password_age_days" in changes:
        age_password(user, changes["password_age_days"])
    if "locked" in changes:
        lock_account(user) if changes["locked"] else unlock_account(user)
    if "deactivated" in changes:
        deactivate_account(user) if changes["deactivated"] else reactivate_account(user)
    return user
