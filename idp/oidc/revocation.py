"""Token revocation (RFC 7009) and introspection (RFC 7662).

Both find a token by the digest of the string presented, as an access token
or a refresh token (the ``token_type_hint`` only decides which is tried first).
"""

from __future__ import annotations

from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint

from ..audit import record_event
from ..extensions import get_clock, get_settings
from ..lifecycle.clients import find_client
from ..lifecycle.tokens import revoke_access_token, revoke_grant
from ..policy.introspection import NOT_ITS_RESOURCE_SERVER, may_introspect
from .access_tokens import audience, is_jwt, unverified_claims
from .code_grant import ALL_CLIENT_AUTH_METHODS, CONFIDENTIAL_AUTH_METHODS
from .tokens import PresentedToken, find_presented_token


class OhidRevocationEndpoint(RevocationEndpoint):
    """RFC 7009: any client may revoke the tokens issued to it."""

    CLIENT_AUTH_METHODS = ALL_CLIENT_AUTH_METHODS

    def query_token(self, token_string, token_type_hint):
        return find_presented_token(token_string, token_type_hint)

    def revoke_token(self, token: PresentedToken, request) -> None:
        if token.kind == "refresh_token":
            # RFC 7009 §2.1: revoking a refresh token SHOULD also invalidate the
            # access tokens issued under the same authorization grant.
            revoke_grant(token.row)
        else:
            revoke_access_token(token.row)
        record_event(
            "token_revoked", token.row.user, client_id=token.row.client_id, token_type=token.kind
        )


class OhidIntrospectionEndpoint(IntrospectionEndpoint):
    """RFC 7662: a confidential client may introspect the tokens issued to it, and
    a resource server those of the clients it serves (``policy.introspection``).
    Every inactive answer records why in the audit events."""

    CLIENT_AUTH_METHODS = CONFIDENTIAL_AUTH_METHODS

    def query_token(self, token_string, token_type_hint):
        return find_presented_token(token_string, token_type_hint)

    def check_permission(self, token: PresentedToken, client, request) -> bool:
        owner = find_client(token.row.client_id)
        return may_introspect(
            client.get_client_id(),
            token.row.client_id,
            introspect_any=bool(client.client_metadata.get("introspect_any")),
            owner_resource_servers=list(
                (owner.client_metadata if owner is not None else {}).get("resource_servers") or []
            ),
        )

    def authenticate_token(self, request, client):
        self.check_params(request, client)
        token = self.query_token(request.form["token"], request.form.get("token_type_hint"))
        if token is None:
            reason = "no such token: not issued by this server, or not as sent"
        elif not self.check_permission(token, client, request):
            reason = NOT_ITS_RESOURCE_SERVER
        elif token.is_revoked():
            reason = "the token is revoked"
        elif token.is_expired():
            reason = "the token has expired"
        else:
            return token
        record_event(
            "token_introspected_inactive",
            token.row.user if token is not None else None,
            client_id=client.get_client_id(),
            token_client_id=token.row.client_id if token is not None else None,
            reason=reason,
        )
        return None

    def introspect_token(self, token: PresentedToken) -> dict:
        row = token.row
        clock = get_clock()
        payload = {
            "active": True,
            "client_id": row.client_id,
            "token_type": "Bearer" if token.kind == "access_token" else "refresh_token",
            "scope": row.scope,
            "iss": get_settings().issuer,
            "aud": row.client_id,
            # Real time (SPEC §5.1), keeping the lifetime left on the mock's clock.
            "iat": min(clock.to_real_timestamp(row.issued_at), clock.real_timestamp()),
            "exp": clock.to_real_timestamp(token.expires_at()),
        }
        if token.kind == "access_token":
            owner = find_client(row.client_id)
            if is_jwt(token.presented):
                # What the JWT itself says: its audience and id.
                claims = unverified_claims(token.presented)
                payload.update({k: claims[k] for k in ("aud", "jti") if k in claims})
            elif owner is not None:
                payload["aud"] = audience(owner, [])
        if row.user is not None:
            payload["sub"] = row.user.sub
            payload["username"] = row.user.username
        if row.sid:
            payload["sid"] = row.sid
        return payload
