"""Token revocation (RFC 7009) and introspection (RFC 7662).

Both find a token by the digest of the string presented, as an access token
or a refresh token (the ``token_type_hint`` only decides which is tried first).
"""

from __future__ import annotations

from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint

from ..audit import record_event
from ..extensions import db, get_clock, get_settings
from ..lifecycle.tokens import revoke_access_token, revoke_grant
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
        db.session.commit()


class OhidIntrospectionEndpoint(IntrospectionEndpoint):
    """RFC 7662: a confidential client may introspect the tokens issued to it."""

    CLIENT_AUTH_METHODS = CONFIDENTIAL_AUTH_METHODS

    def query_token(self, token_string, token_type_hint):
        return find_presented_token(token_string, token_type_hint)

    def check_permission(self, token: PresentedToken, client, request) -> bool:
        return token.check_client(client)

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
        if row.user is not None:
            payload["sub"] = row.user.sub
            payload["username"] = row.user.username
        if row.sid:
            payload["sid"] = row.sid
        return payload
