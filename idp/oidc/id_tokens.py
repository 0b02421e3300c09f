"""ID tokens (OIDC Core §2): signing those of the code flow (§3.1.3.6) and of
refreshes (§12.2), and reading back the ones we issued (``id_token_hint``,
§3.1.2.1)."""

from __future__ import annotations

from authlib.oidc.core.grants import OpenIDCode, OpenIDToken
from joserfc import jwt
from joserfc.errors import JoseError

from ..extensions import get_clock, get_key_store, get_settings
from ..store import oauth as oauth_store
from .claims import generate_user_info, released_portal_claims, requested_claims

ID_TOKEN_ALGS = ["RS256", "ES256"]


def granted_scope(request) -> str:
    """The scope the token being issued carries (RFC 6749 §6: a refresh may narrow it)."""
    if request.authorization_code is not None:
        return request.authorization_code.get_scope()
    if request.refresh_token is not None:
        return request.payload.scope or request.refresh_token.get_scope()
    return request.payload.scope or ""


class IdTokenSigning:
    """How our ID tokens are signed and stamped: the client's algorithm, our keys and clock."""

    def resolve_client_private_key(self, client):
        alg = self.get_client_algorithm(client)
        return get_key_store().signing_key(alg, get_clock().now()).private_key()

    def get_client_algorithm(self, client) -> str:
        return client.id_token_signed_response_alg or "RS256"

    def get_encode_header(self, client) -> dict:
        alg = self.get_client_algorithm(client)
        key = get_key_store().signing_key(alg, get_clock().now())
        return {"alg": alg, "kid": key.kid, "typ": "JWT"}

    def get_client_claims(self, client) -> dict:
        return {"iss": get_settings().issuer, "aud": [client.get_client_id()]}

    def get_compatible_claims(self, request) -> dict:
        # Real time, whatever the QA clock says: portals check iat/exp with a real
        # clock (PyJWT refuses an iat in the future).
        issued = get_clock().real_timestamp()
        claims = self.get_client_claims(request.client)
        claims["iat"] = issued
        claims["exp"] = issued + get_settings().tokens.id_token_seconds
        claims.update(released_portal_claims(request.client, request.user, granted_scope(request)))
        return claims

    def generate_user_info(self, user, scope):
        return generate_user_info(user, scope)


def remember_real_auth_time(sid: str, real: int | None) -> None:
    """Keep the SSO session's real sign-in time, read with the code, for this request."""
    oauth_store.note_real_auth_time(sid, real)


def real_auth_time(auth_time: int, sid: str | None, issued: int) -> int:
    """``auth_time`` in real time (SPEC §5.1), never after ``issued``.

    The session remembers the real moment of sign-in; without one, the
    mock-clock ``auth_time`` is shifted back by the clock's current offset.
    """
    real = oauth_store.real_auth_time_of_session(sid) if sid else None
    if real is not None:
        return min(real, issued)
    return min(get_clock().to_real_timestamp(auth_time), issued)


class OhidOpenIDCode(IdTokenSigning, OpenIDCode):
    """OIDC Core §3.1: the ID token of the code flow."""

    def exists_nonce(self, nonce, request) -> bool:
        # Nonce replay across codes of one client (OIDC Core §3.1.2.1 nonce). Authlib
        # validates a request twice before issuing its code: one read serves both.
        return oauth_store.nonce_used(request.payload.client_id, nonce)

    def get_authorization_code_claims(self, authorization_code) -> dict:
        claims = super().get_authorization_code_claims(authorization_code)
        if "auth_time" in claims:
            claims["auth_time"] = real_auth_time(
                claims["auth_time"], authorization_code.sid, get_clock().real_timestamp()
            )
        if authorization_code.sid:
            claims["sid"] = authorization_code.sid
        # OIDC Core §5.5: claims asked for by name in the "claims" request parameter.
        claims.update(
            requested_claims(authorization_code.user, authorization_code.claims_request, "id_token")
        )
        return claims


class OhidOpenIDRefresh(IdTokenSigning, OpenIDToken):
    """OIDC Core §12.2: a refresh response carries a new ID token for the same
    authentication: same ``sub`` and ``auth_time``, and no ``nonce``."""

    def get_compatible_claims(self, request) -> dict:
        claims = super().get_compatible_claims(request)
        parent = request.refresh_token
        claims.update(sign_in_claims(parent, claims["iat"]))
        return claims


def sign_in_claims(source, issued: int) -> dict:
    """``auth_time`` (in real time), ``acr``, ``amr`` and ``sid`` of the sign-in behind
    a code or refresh token, for the tokens issued from it."""
    context = {}
    if source.auth_time:
        context["auth_time"] = real_auth_time(source.auth_time, source.sid, issued)
    if source.acr:
        context["acr"] = source.acr
    if source.amr:
        context["amr"] = list(source.amr)
    if source.sid:
        context["sid"] = source.sid
    return context


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
