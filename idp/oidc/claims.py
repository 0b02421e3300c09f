"""Which claims each scope releases (OIDC Core §5.4) and the user's values."""

from __future__ import annotations

from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oidc.core import UserInfo

from ..models import User

SCOPES_SUPPORTED = ["openid", "profile", "email", "phone", "offline_access"]

SCOPE_CLAIMS = {
    "profile": ["preferred_username", "name", "given_name", "family_name", "birthdate"],
    "email": ["email", "email_verified"],
    "phone": ["phone_number", "phone_number_verified"],
}

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
