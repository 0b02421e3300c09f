"""QA users: create in any state, read all state, change, delete (SPEC §5.1)."""

from __future__ import annotations

from flask import jsonify

from ..errors import EmailInUse, UsernameTaken, ValidationFailed
from ..extensions import db, now
from ..lifecycle.account_state import apply_changes
from ..lifecycle.accounts import create_account, delete_account, email_in_use, find_by_username
from ..lifecycle.email_verification import send_activation_email
from ..lifecycle.portal_claims import check_claims, set_portal_claims
from ..models import User
from ..policy.passwords import MAX_PASSWORD_AGE_DAYS
from .api import QAError, bp, check_types, json_body
from .factors import FACTORS, apply_factors, check_factors

# Extra state other lifecycle stages add to GET /_qa/users/<username> (name -> fn(user) -> value).
STATE_EXTENSIONS: dict = {}


def user_state(user: User) -> dict:
    """Everything about an account, as QA scripts read it."""
    state = {
        "username": user.username,
        "sub": user.sub,
        "email": user.email,
        "email_verified": user.email_verified,
        "email_shared": email_in_use(user.email, besides=user),
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
        "security_questions": [a.question for a in user.security_answers],
        "notifications": user.notifications or {},
        "claims": user.portal_claims or {},
    }
    for name, read in STATE_EXTENSIONS.items():
        state[name] = read(user)
    return state


FIELD_TYPES = {
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
}
# Set after the account exists (they are states, not registration fields).
_STATE_FIELDS = ("password_age_days", "locked", "deactivated")
_REQUIRED = ("username", "email", "password")


def _validation_detail(exc: ValidationFailed) -> str:
    return "; ".join(f"{field}: {', '.join(texts)}" for field, texts in exc.errors.items())


def _checked_claims(body: dict) -> dict | None:
    """The ``claims`` field normalized, or a 400 naming the bad claim."""
    if body.get("claims") is None:
        return None
    try:
        return check_claims(body["claims"])
    except ValidationFailed as exc:
        raise QAError(400, "invalid_request", _validation_detail(exc)) from None


def _find(username: str) -> User:
    user = find_by_username(username)
    if user is None:
        raise QAError(404, "not_found", f"No user with One Healthcare ID {username!r}.")
    return user


# Fields that a null cannot clear (the others accept null as "empty").
_NOT_NULL = ("username", "email", "password", "password_age_days", "locked", "deactivated")


def _check_values(body: dict) -> None:
    nulls = [name for name in _NOT_NULL if name in body and body[name] is None]
    if nulls:
        raise QAError(400, "invalid_request", f"Must not be null: {', '.join(nulls)}.")
    age = body.get("password_age_days") or 0
    if age < 0:
        raise QAError(400, "invalid_request", "'password_age_days' must not be negative.")
    if age > MAX_PASSWORD_AGE_DAYS:
        raise QAError(
            400,
            "invalid_request",
            f"'password_age_days' must be at most {MAX_PASSWORD_AGE_DAYS} (a century).",
        )


@bp.post("/users")
def create_user():
    """Create a user in any state."""
    body = json_body()
    allowed = dict(FIELD_TYPES, **{k: f.types for k, f in FACTORS.items()})
    check_types(body, dict(allowed, claims=dict, send_activation=bool))
    missing = [name for name in _REQUIRED if not body.get(name)]
    if missing:
        raise QAError(400, "invalid_request", f"Missing field(s): {', '.join(missing)}.")
    _check_values(body)
    check_factors(body)
    claims = _checked_claims(body)
    fields = {
        k: body[k]
        for k in FIELD_TYPES
        if k in body and body[k] is not None and k not in _STATE_FIELDS
    }
    try:
        # SPEC §5.1: an email shared with another ID is allowed.
        user = create_account(**fields, commit=False, shared_email=True)
        if claims:
            set_portal_claims(user, claims, replace=True)
        states = {k: body[k] for k in _STATE_FIELDS if body.get(k) is not None}
        apply_changes(user, states)
    except ValidationFailed as exc:
        db.session.rollback()
        raise QAError(400, "invalid_request", _validation_detail(exc)) from None
    except (UsernameTaken, EmailInUse) as exc:
        db.session.rollback()
        raise QAError(409, "conflict", exc.text) from None
    extra = apply_factors(user, body, creating=True)
    if not user.email_verified and body.get("send_activation") is not False:
        # An unverified account is told an activation email was sent: it was.
        send_activation_email(user, enforce_limits=False)
    db.session.commit()
    return jsonify({**user_state(user), **extra}), 201


@bp.get("/users/<username>")
def get_user(username: str):
    return jsonify(user_state(_find(username)))


@bp.patch("/users/<username>")
def patch_user(username: str):
    """Change any state: profile fields, verification flags, password, age, lock,
    deactivation, and factors (added with true or a value, removed with false)."""
    user = _find(username)
    body = json_body()
    check_types(body, dict(FIELD_TYPES, claims=dict, **{k: f.types for k, f in FACTORS.items()}))
    if not body:
        raise QAError(400, "invalid_request", "Send at least one field to change.")
    _check_values(body)
    check_factors(body)
    claims = _checked_claims(body)
    changes = {k: v for k, v in body.items() if k in FIELD_TYPES}
    try:
        if claims is not None:
            set_portal_claims(user, claims)
        if changes:
            apply_changes(user, changes)
    except ValidationFailed as exc:
        raise QAError(400, "invalid_request", _validation_detail(exc)) from None
    except (UsernameTaken, EmailInUse) as exc:
        db.session.rollback()
        raise QAError(409, "conflict", exc.text) from None
    extra = apply_factors(user, body, creating=False)
    db.session.commit()
    return jsonify({**user_state(user), **extra})


@bp.delete("/users/<username>")
def remove_user(username: str):
    delete_account(_find(username))
    return "", 204
