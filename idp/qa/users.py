"""QA users: create in any state, read everything about one (SPEC §5.1)."""

from __future__ import annotations

from datetime import timedelta

from flask import jsonify

from ..errors import EmailInUse, UsernameTaken, ValidationFailed
from ..extensions import db, get_settings, now
from ..lifecycle.accounts import create_account, find_by_username
from ..models import User
from .api import QAError, bp, check_types, json_body
from .mfa import add_qa_authenticator, mfa_state


def user_state(user: User) -> dict:
    """Everything about an account, as QA scripts read it."""
    return {
        "username": user.username,
        "sub": user.sub,
        "email": user.email,
        "email_verified": user.email_verified,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "year_of_birth": user.year_of_birth,
        "phone": user.phone,
        "phone_verified": user.phone_verified,
        "created_at": user.created_at.isoformat(),
        "password_changed_at": user.password_changed_at.isoformat(),
        "last_sign_in_at": user.last_sign_in_at.isoformat() if user.last_sign_in_at else None,
        "failed_sign_ins": user.failed_sign_ins,
        "locked": user.locked_until is not None and now() < user.locked_until,
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
        "deactivated": user.deactivated_at is not None,
        "mfa": mfa_state(user),
    }


_CREATE_TYPES = {
    "username": str,
    "email": str,
    "password": str,
    "first_name": str,
    "last_name": str,
    "year_of_birth": int,
    "phone": str,
    "email_verified": bool,
    "phone_verified": bool,
    "password_age_days": int,
    "locked": bool,
    "deactivated": bool,
    "totp": bool,
}
_REQUIRED = ("username", "email", "password")


@bp.post("/users")
def create_user():
    """Create a user in any state."""
    body = json_body()
    check_types(body, _CREATE_TYPES)
    missing = [name for name in _REQUIRED if not body.get(name)]
    if missing:
        raise QAError(400, "invalid_request", f"Missing field(s): {', '.join(missing)}.")
    age = body.get("password_age_days") or 0
    if age < 0:
        raise QAError(400, "invalid_request", "'password_age_days' must not be negative.")
    fields = {k: body[k] for k in _CREATE_TYPES if k in body and body[k] is not None}
    locked = fields.pop("locked", False)
    deactivated = fields.pop("deactivated", False)
    wants_totp = fields.pop("totp", False)
    try:
        user = create_account(**fields, commit=False)
    except ValidationFailed as exc:
        detail = "; ".join(f"{field}: {', '.join(texts)}" for field, texts in exc.errors.items())
        raise QAError(400, "invalid_request", detail) from None
    except (UsernameTaken, EmailInUse) as exc:
        raise QAError(409, "conflict", exc.text) from None
    moment = now()
    if locked:
        user.locked_until = moment + timedelta(minutes=get_settings().lockout.lock_minutes)
        user.failed_sign_ins = get_settings().lockout.max_failed_sign_ins
    if deactivated:
        user.deactivated_at = moment
    extra = {}
    if wants_totp:
        secret, recovery = add_qa_authenticator(user)
        extra = {"totp_secret": secret, "recovery_code": recovery}
    db.session.commit()
    return jsonify({**user_state(user), **extra}), 201


@bp.get("/users/<username>")
def get_user(username: str):
    user = find_by_username(username)
    if user is None:
        raise QAError(404, "not_found", f"No user with One Healthcare ID {username!r}.")
    return jsonify(user_state(user))
