"""JWT access tokens (RFC 9068) and the RFC 8707 ``resource`` parameter.

By default an access token is a JWT signed with the issuer's keys, so a
portal's API validates it from the JWKS alone (Spring's ``issuer-uri``,
express-oauth2-jwt-bearer, PyJWT's ``PyJWKClient``). ``access_token_format =
"opaque"`` (per client, or ``tokens.access_token_format``) keeps random
strings. Either way the token is stored as a digest, so userinfo, revocation
and introspection treat both alike, and a revoked JWT is inactive at
introspection (its signature stays valid until ``exp``, as with any JWT).
"""

from __future__ import annotations

import base64
import json
import secrets
from urllib.parse import urlsplit

from authlib.oauth2 import OAuth2Error
from joserfc import jwt

from ..extensions import get_clock, get_key_store, get_settings
from .claims import released_portal_claims
from .id_tokens import sign_in_claims

FORMATS = ("jwt", "opaque")
TYPES = ("at+jwt", "JWT")


class InvalidTargetError(OAuth2Error):
    """RFC 8707 §2: a ``resource`` that is not an absolute URI without a fragment."""

    error = "invalid_target"
    status_code = 400


def access_token_format(client) -> str:
    """``jwt`` or ``opaque``: the client's choice, else the server's."""
    return (
        client.client_metadata.get("access_token_format")
        or get_settings().tokens.access_token_format
    )


def access_token_typ(client) -> str:
    """The JWT ``typ`` header: ``at+jwt`` (RFC 9068) or ``JWT`` for decoders that take only that."""
    return client.client_metadata.get("access_token_typ") or get_settings().tokens.access_token_typ


def requested_resources(request) -> list[str]:
    """The RFC 8707 ``resource`` values of a token request; InvalidTargetError when one is bad."""
    try:
        datalist = request.payload.datalist or {}
    except (AttributeError, NotImplementedError):
        # A token request made in-process (QA tokens) has no repeated parameters.
        datalist = {}
    values = list(datalist.get("resource") or [])
    for value in values:
        parts = urlsplit(value)
        if not parts.scheme or not (parts.netloc or parts.path) or parts.fragment:
            raise InvalidTargetError(
                "Each resource must be an absolute URI without a fragment (RFC 8707)."
            )
    return list(dict.fromkeys(values))


def audience(client, resources: list[str]) -> str | list[str]:
    """``aud``: the resources asked for, else the client's ``access_token_audience``,
    else the client id."""
    if resources:
        return resources[0] if len(resources) == 1 else resources
    configured = client.client_metadata.get("access_token_audience")
    return configured or client.get_client_id()


def _grant_context(request) -> dict:
    """``auth_time``, ``acr``, ``amr`` and ``sid`` of the sign-in behind the token."""
    source = request.authorization_code
    if source is None:
        source = getattr(request, "refresh_token", None)
    if source is None or not getattr(source, "auth_time", None):
        return {}
    return sign_in_claims(source, get_clock().real_timestamp())


def jwt_access_token(request, client, user, scope: str | None, lifetime: int) -> str:
    """A signed RFC 9068 access token for ``user`` (None: the client itself)."""
    issued = get_clock().real_timestamp()
    claims = {
        "iss": get_settings().issuer,
        # RFC 9068 §2.2: with no resource owner, sub is the client.
        "sub": user.sub if user is not None else client.get_client_id(),
        "aud": audience(client, requested_resources(request)),
        "client_id": client.get_client_id(),
        "jti": secrets.token_urlsafe(16),
        # Real time, whatever the QA clock says (SPEC §5.1), like ID tokens.
        "iat": issued,
        "exp": issued + int(lifetime),
    }
    if scope:
        claims["scope"] = scope
    if user is not None:
        claims.update(_grant_context(request))
        claims.update(released_portal_claims(client, user, scope))
    alg = client.id_token_signed_response_alg or "RS256"
    key = get_key_store().signing_key(alg, get_clock().now())
    header = {"alg": alg, "kid": key.kid, "typ": access_token_typ(client)}
    return jwt.encode(header, claims, key.private_key())


def is_jwt(token_string: str) -> bool:
    return token_string.count(".") == 2


def unverified_claims(token_string: str) -> dict:
    """The claims of a JWT access token this server issued (found by its digest,
    so its signature need not be checked again); {} when unreadable."""
    try:
        part = token_string.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, IndexError, UnicodeDecodeError):
        return {}
    return claims if isinstance(claims, dict) else {}
