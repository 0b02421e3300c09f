"""QA users: create in any state, read all state, change, delete (SPEC §5.1)."""

from __future__ import annotations

from typing import Annotated, Any

from flask import jsonify
from pydantic import ConfigDict, Field, model_validator

from ..errors import EmailInUse, UsernameTaken, ValidationFailed
from ..extensions import now
from ..lifecycle.account_state import change_account
from ..lifecycle.accounts import create_account, delete_account, email_in_use, find_by_username
from ..lifecycle.email_verification import send_activation_email
from ..lifecycle.portal_claims import check_claims, set_portal_claims
from ..policy.passwords import MAX_PASSWORD_AGE_DAYS
from ..store.models import User
from .api import QAError, bp, json_body
from .factors import FactorFields, apply_factors
from .schemas import WHOLE, QARequest, Says, WholeNumber, parse, rule_broken

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


def _age_problem(days: int) -> str:
    if days < 0:
        return "'password_age_days' must not be negative."
    return f"'password_age_days' must be at most {MAX_PASSWORD_AGE_DAYS} (a century)."


class _UserFields(QARequest):
    """A user's fields as QA scripts set them; null empties those that may be empty."""

    username: str = None
    email: str = None
    password: str = None
    first_name: str | None = None
    last_name: str | None = None
    year_of_birth: WholeNumber | None = None
    phone: str | None = None
    email_verified: bool | None = None
    phone_verified: bool | None = None
    password_age_days: Annotated[
        int, Field(ge=0, le=MAX_PASSWORD_AGE_DAYS), WHOLE, Says(_age_problem)
    ] = None
    locked: bool = None
    deactivated: bool = None
    claims: Annotated[
        dict[str, Any] | None,
        Field(
            description="Portal claims: npi, tax_ids, state, role, job_functions, "
            "practice_name, provider_type, or custom; null removes one (PATCH)",
            examples=[{"npi": "1234567893", "tax_ids": ["123456789"], "state": "MN"}],
        ),
    ] = None


class NewUser(FactorFields, _UserFields):
    """``POST /_qa/users``: a user in any state."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "username": "jane.doe1",
                    "email": "jane@example.com",
                    "password": "Password1",
                    "email_verified": True,
                    "totp": True,
                }
            ]
        }
    )

    username: Annotated[str, Field(min_length=1)]
    email: Annotated[str, Field(min_length=1)]
    password: Annotated[str, Field(min_length=1)]
    send_activation: Annotated[
        bool | None,
        Field(description="Email the activation code to an unverified address (default true)"),
    ] = None


class UserChanges(FactorFields, _UserFields):
    """``PATCH /_qa/users/<username>``: any of a user's fields and factors."""

    model_config = ConfigDict(
        json_schema_extra={
            "minProperties": 1,
            "examples": [{"totp": True}, {"passkey": "swk"}, {"totp": False}],
        }
    )

    @model_validator(mode="after")
    def _names_a_change(self):
        if not self.model_fields_set:
            raise rule_broken("Send at least one field to change.")
        return self


# The fields of the account itself, in the order of a form.
FIELDS = tuple(_UserFields.model_fields)
# Set after the account exists (they are states, not registration fields).
_STATE_FIELDS = ("password_age_days", "locked", "deactivated")
_ACCOUNT_FIELDS = tuple(k for k in FIELDS if k not in (*_STATE_FIELDS, "claims"))


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


def create_user_in_state(body: dict) -> dict:
    """Create a user from checked ``NewUser`` fields; their state and what was made."""
    claims = _checked_claims(body)
    fields = {k: body[k] for k in _ACCOUNT_FIELDS if body.get(k) is not None}
    try:
        # SPEC §5.1: an email shared with another ID is allowed.
        user = create_account(**fields, shared_email=True)
        if claims:
            set_portal_claims(user, claims, replace=True)
        states = {k: body[k] for k in _STATE_FIELDS if body.get(k) is not None}
        # One unit of work for the account, its factors and its activation email: a
        # write that fails part-way (a full disk) leaves no account behind.
        change_account(user, states)
    except ValidationFailed as exc:
        raise QAError(400, "invalid_request", _validation_detail(exc)) from None
    except (UsernameTaken, EmailInUse) as exc:
        raise QAError(409, "conflict", exc.text) from None
    extra = apply_factors(user, body, creating=True)
    if not user.email_verified and body.get("send_activation") is not False:
        # An unverified account is told an activation email was sent: it was.
        send_activation_email(user, enforce_limits=False)
    return {**user_state(user), **extra}


def change_user(user: User, body: dict) -> dict:
    """Apply checked ``UserChanges`` fields to ``user``; its state and what was made."""
    claims = _checked_claims(body)
    changes = {k: v for k, v in body.items() if k in FIELDS and k != "claims"}
    try:
        if claims is not None:
            set_portal_claims(user, claims)
        if changes:
            change_account(user, changes)
    except ValidationFailed as exc:
        raise QAError(400, "invalid_request", _validation_detail(exc)) from None
    except (UsernameTaken, EmailInUse) as exc:
        raise QAError(409, "conflict", exc.text) from None
    extra = apply_factors(user, body, creating=False)
    return {**user_state(user), **extra}


@bp.post("/users")
def create_user():
    """Create a user in any state."""
    return jsonify(create_user_in_state(parse(NewUser, json_body()))), 201


@bp.get("/users/<username>")
def get_user(username: str):
    return jsonify(user_state(_find(username)))


@bp.patch("/users/<username>")
def patch_user(username: str):
    """Change any state: profile fields, verification flags, password, age, lock,
    deactivation, and factors (added with true or a value, removed with false)."""
    user = _find(username)
    return jsonify(change_user(user, parse(UserChanges, json_body())))


@bp.delete("/users/<username>")
def remove_user(username: str):
    delete_account(_find(username))
    return "", 204
