"""Setting a new password, wherever it happens: reset, expired, My Profile.

One place checks the rules (SPEC §2), the confirmation, and the history (the
last N passwords, the current one included, cannot be reused), stores the new
hash, and ends the account's other SSO sessions.
"""

from __future__ import annotations

from ..audit import record_event
from ..errors import CurrentPasswordWrong, PasswordReused, ValidationFailed
from ..extensions import get_hashing, get_settings, now
from ..messages import message
from ..policy.passwords import check_password
from ..store import accounts
from ..store import sign_in as sign_ins
from ..store.models import User
from .tokens import revoke_tokens_of_user


def verify_current_password(user: User, password: str) -> bool:
    """Whether ``password`` is the account's current password."""
    return get_hashing().verify(user.password_hash, password or "")


def _recent_hashes(user: User, count: int) -> list[str]:
    rows = accounts.recent_password_hashes(user, count)
    # The current hash counts even if an older database never recorded it.
    return list(dict.fromkeys([user.password_hash, *rows]))[:count]


def is_recent_password(user: User, password: str) -> bool:
    """Whether ``password`` is one of the last N (``password.history``) passwords."""
    count = get_settings().password.history
    if count <= 0:
        return False
    hashing = get_hashing()
    return any(hashing.verify(h, password) for h in _recent_hashes(user, count))


def check_new_password(user: User, new_password: str, confirm_password: str) -> None:
    """Raise ValidationFailed (rules, confirmation) or PasswordReused (history)."""
    rules = get_settings().password
    errors: dict[str, list[str]] = {}
    broken = check_password(new_password, rules, user.username)
    if broken:
        errors["new_password"] = broken
    if (new_password or "") != (confirm_password or ""):
        errors["confirm_password"] = [message("passwords_differ")]
    if errors:
        raise ValidationFailed(errors)
    if is_recent_password(user, new_password):
        raise PasswordReused(count=rules.history)


def end_other_sessions(user: User, keep_session_id: str | None, reason: str) -> int:
    """End every live SSO session of ``user`` but ``keep_session_id``; returns how many.

    Each goes through ``end_sso_session``, so portals with a back-channel
    logout URI hear about it.
    """
    from .authentication import end_sso_session

    sessions = sign_ins.live_sso_sessions_of(user)
    others = [sso for sso in sessions if sso.id != keep_session_id]
    for sso in others:
        end_sso_session(sso, reason=reason)
    return len(others)


def revoke_tokens_of(user: User, reason: str) -> int:
    """Revoke every access and refresh token issued to ``user``."""
    count = revoke_tokens_of_user(user.id)
    if count:
        record_event("tokens_revoked", user, reason=reason, count=count)
    return count


def set_password(
    user: User,
    new_password: str,
    confirm_password: str,
    *,
    reason: str,
    keep_session_id: str | None = None,
) -> None:
    """Check and store a new password, record it in the history, end other sessions."""
    store_new_password(user, new_password, confirm_password, reason=reason)
    end_other_sessions(user, keep_session_id, reason=f"password_{reason}")


def store_new_password(
    user: User, new_password: str, confirm_password: str, *, reason: str
) -> None:
    """Check and store a new password and record it in the history (the caller ends
    the other sessions once everything else the change brings is written)."""
    check_new_password(user, new_password, confirm_password)
    moment = now()
    password_hash = get_hashing().hash(new_password)
    user.password_hash = password_hash
    user.password_changed_at = moment
    accounts.add_password_history(
        user, password_hash, moment, keep=max(get_settings().password.history, 1)
    )
    record_event("password_changed", user, reason=reason)


def change_password(
    user: User,
    current_password: str,
    new_password: str,
    confirm_password: str,
    keep_session_id: str | None = None,
) -> None:
    """My Profile: the current password is required before a new one is set."""
    if not verify_current_password(user, current_password):
        record_event("password_change_refused", user, reason="wrong_current_password")
        raise CurrentPasswordWrong()
    set_password(
        user, new_password, confirm_password, reason="profile", keep_session_id=keep_session_id
    )
