"""Reading back ID tokens this provider issued (``id_token_hint``, OIDC Core §3.1.2.1)."""

from __future__ import annotations

from joserfc import jwt
from joserfc.errors import JoseError

from ..extensions import get_clock, get_key_store, get_settings

ID_TOKEN_ALGS = ["RS256", "ES256"]


def read_id_token_hint(hint: str) -> dict | None:
    """The claims of an ID token we issued, or None when it is not one of ours.

    The signature must verify against a published key and ``iss`` must be us.
    An expired token is still accepted: OIDC Core §3.1.2.1 says the hint is
    used "as a hint about the End-User's current or past authenticated session".
    """
    if not hint or len(hint) > 8192:
        return None
    keys = get_key_store().verification_key_set(get_clock().now())
    try:
        token = jwt.decode(hint, keys, algorithms=ID_TOKEN_ALGS)
    except (JoseError, ValueError):
        return None
    claims = dict(token.claims)
    if claims.get("iss") != get_settings().issuer or not isinstance(claims.get("sub"), str):
        return None
    return claims
