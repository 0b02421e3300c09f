"""Which claims each scope releases (OIDC Core §5.4) and the user's values."""

from __future__ import annotations

from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oidc.core import UserInfo

from ..lifecycle.accounts import email_in_use
from ..policy.claims import (  # noqa: F401 - re-exported
    CLAIM_LABELS,
    CLAIMS_SUPPORTED,
    SCOPE_CLAIMS,
    SCOPES_SUPPORTED,
    USER_CLAIMS,
    claims_named_in,
)
from ..policy.mfa import ACR_SINGLE_FACTOR, ACR_VALUES_SUPPORTED  # noqa: F401 - re-exported
from ..policy.portal_claims import released_portal_claims as released_portal_claims_for
from ..store.models import User

# The ``acr`` of a session signed in with a password alone (level of assurance 1).
DEFAULT_ACR = ACR_SINGLE_FACTOR


def user_claim_values(user: User) -> dict:
    """Every user claim mock-ohid can release, by claim name."""
    values = {
        "preferred_username": user.username,
        "name": user.name,
        "given_name": user.first_name,
        "family_name": user.last_name,
        "email": user.email,
        "email_verified": bool(user.email_verified),
        "email_shared": email_in_use(user.email, besides=user),
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


def requested_claims(user: User, claims_request: dict | None, target: str) -> dict:
    """Values of the user claims the ``claims`` parameter asked for in ``target``."""
    values = user_claim_values(user)
    return {
        name: values[name] for name in claims_named_in(claims_request, target) if name in values
    }


def released_portal_claims(client, user: User | None, scope: str | None) -> dict:
    """The portal claims ``client``'s scope → claims mapping releases for ``scope``."""
    if client is None or user is None:
        return {}
    return released_portal_claims_for(
        client.client_metadata.get("scope_claims"),
        scope_to_list(scope or "") or [],
        user.portal_claims,
    )
