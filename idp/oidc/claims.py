"""Which claims each scope releases (OIDC Core §5.4) and the user's values."""

from __future__ import annotations

from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oidc.core import UserInfo

from ..models import User
from ..policy.mfa import ACR_SINGLE_FACTOR, ACR_VALUES_SUPPORTED  # noqa: F401 - re-exported

SCOPES_SUPPORTED = ["openid", "profile", "email", "phone", "offline_access"]

# The ``acr`` of a session signed in with a password alone (level of assurance 1).
# A password alone; the multi-factor value and the rules live in policy/mfa.py.
DEFAULT_ACR = ACR_SINGLE_FACTOR

SCOPE_CLAIMS = {
    "profile": ["preferred_username", "name", "given_name", "family_name", "birthdate"],
    "email": ["email", "email_verified"],
    "phone": ["phone_number", "phone_number_verified"],
}

# What the "Share my One Healthcare ID" screen says each claim is.
CLAIM_LABELS = {
    "preferred_username": "Your One Healthcare ID",
    "name": "Your full name",
    "given_name": "Your first name",
    "family_name": "Your last name",
    "birthdate": "Your year of birth",
    "email": "Your email address",
    "email_verified": "Whether your email address is verified",
    "phone_number": "Your phone number",
    "phone_number_verified": "Whether your phone number is verified",
}

USER_CLAIMS = [claim for claims in SCOPE_CLAIMS.values() for claim in claims]

CLAIMS_SUPPORTED = sorted(
    {"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "at_hash"}
    | {claim for claims in SCOPE_CLAIMS.values() for claim in claims}
)


def user_claim_values(user: User) -> dict:
    """Every user claim mock-ohid can release, by claim name."""
    values = {
        "preferred_username": user.username,
        "name": user.name,
        "given_name": user.first_name,
        "family_name": user.last_name,
        "email": user.email,
        "email_verified": bool(user.email_verified),
    }
    if user.year_of_birth:
        # OIDC Core §5.1 allows a year alone: "YYYY".
        values["birthdate"] = f"{user.year_of_birth:04d}"
    if user.phone:
        values["phone_number"] = user.phone
        values["phone_number_verified"] = bool(user.phone_verified)
    return values


def generate_user_info(user: User, scope: str) -> UserInfo:
    """The claims released for ``scope``; ``sub`` always."""
    scopes = scope_to_list(scope or "") or []
    values = user_claim_values(user)
    info = UserInfo(sub=user.sub)
    for name in scopes:
        for claim in SCOPE_CLAIMS.get(name, []):
            if claim in values:
                info[claim] = values[claim]
    return info


def claims_named_in(claims_request: dict | None, target: str | None = None) -> list[str]:
    """User claims named in a ``claims`` request parameter (OIDC Core §5.5), for
    ``target`` ("id_token" or "userinfo") or both; unknown names are ignored."""
    if not isinstance(claims_request, dict):
        return []
    targets = [target] if target else ["id_token", "userinfo"]
    names: list[str] = []
    for name in targets:
        members = claims_request.get(name)
        if isinstance(members, dict):
            names.extend(claim for claim in members if claim in USER_CLAIMS)
    return list(dict.fromkeys(names))


def requested_claims(user: User, claims_request: dict | None, target: str) -> dict:
    """Values of the user claims the ``claims`` parameter asked for in ``target``."""
    values = user_claim_values(user)
    return {
        name: values[name] for name in claims_named_in(claims_request, target) if name in values
    }
