"""Which claims each scope releases (OIDC Core §5.4), what they are called on the
consent screen, and the ``claims`` request parameter (OIDC Core §5.5).

Pure data and parsing: the consent page and the OIDC endpoints both read it.
"""

from __future__ import annotations

from .json_limits import loads_bounded
from .mfa import ACR_VALUES_SUPPORTED  # noqa: F401 - re-exported for discovery

# "portal" releases the portal claims a client maps to it (idp.policy.portal_claims).
SCOPES_SUPPORTED = ["openid", "profile", "email", "phone", "offline_access", "portal"]

SCOPE_CLAIMS = {
    "profile": ["preferred_username", "name", "given_name", "family_name", "birthdate"],
    # email_shared (mock-ohid's own): whether another One Healthcare ID uses the same email,
    # so a portal that needs a unique address (Optum Pro) can refuse a shared one.
    "email": ["email", "email_verified", "email_shared"],
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
    "email_shared": "Whether another One Healthcare ID uses your email address",
    "phone_number": "Your phone number",
    "phone_number_verified": "Whether your phone number is verified",
}

USER_CLAIMS = [claim for claims in SCOPE_CLAIMS.values() for claim in claims]

CLAIMS_SUPPORTED = sorted(
    {"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "at_hash"}
    | set(USER_CLAIMS)
)


def parse_claims_request(raw) -> dict | None:
    """The ``claims`` request parameter (OIDC Core §5.5) as a dict, or None."""
    if not raw:
        return None
    try:
        value = loads_bounded(raw)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


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
