"""Token revocation (RFC 7009) and introspection (RFC 7662).

Both find a token by the digest of the string presented, as an access token
or a refresh token (the ``token_type_hint`` only decides which is tried first).
"""

from __future__ import annotations

from dataclasses import dataclass

from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint

from ..audit import record_event
from ..extensions import db, get_clock, get_settings
from ..models import Token
from ..security.digests import token_digest
from .grants import ALL_CLIENT_AUTH_METHODS, CONFIDENTIAL_AUTH_METHODS, revoke_family


@dataclass
class PresentedToken:
    """A stored token and which of its two strings was presented."""

    row: Token
    kind: str  # "access_token" or "refresh_token"

    def check_client(self, client) -> bool:
        return self.row.check_client(client)

    def is_revoked(self) -> bool:
        if self.kind == "refresh_token":
            return self.row.refresh_revoked_at is not None
        return self.row.is_revoked()

    def is_expired(self) -> bool:
        if self.kind == "refresh_token":
            expires = self.row.refresh_expires_at
            return expires is not None and get_clock().now() >= expires
        return self.row.is_expired()

    def expires_at(self) -> int:
        if self.kind == "refresh_token" and self.row.refresh_expires_at is not None:
            return int(self.row.refresh_expires_at.timestamp())
        return self.row.expires_at_ts()


def find_presented_token(token_string: str, hint: str | None) -> PresentedToken | None:
    """The token whose access or refresh string is ``token_string``."""
    if not token_string or len(token_string) > 512:
        return None
    digest = token_digest(token_string)
    kinds = ["access_token", "refresh_token"]
    if hint == "refresh_token":
        kinds.reverse()
    for kind in kinds:
        column = Token.access_token_hash if kind == "access_token" else Token.refresh_token_hash
        row = db.session.execute(db.select(Token).where(column == digest)).scalar_one_or_none()
        if row is not None:
            return PresentedToken(row, kind)
    return None


class OhidRevocationEndpoint(RevocationEndpoint):
    """RFC 7009: any client may revoke the tokens issued to it."""

    CLIENT_AUTH_METHODS = ALL_CLIENT_AUTH_METHODS

    def query_token(self, token_string, token_type_hint):
        return find_presented_token(token_string, token_type_hint)

    def revoke_token(self, token: PresentedToken, request) -> None:
        moment = get_clock().now()
        if token.kind == "refresh_token":
            # RFC 7009 §2.1: revoking a refresh token SHOULD also invalidate the
            # access tokens issued under the same authorization grant.
            revoke_family(token.row)
        else:
            token.row.access_revoked_at = token.row.access_revoked_at or moment
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
        payload = {
            "active": True,
            "client_id": row.client_id,
            "token_type": "Bearer" if token.kind == "access_token" else "refresh_token",
            "scope": row.scope,
            "iss": get_settings().issuer,
            "aud": row.client_id,
            "iat": int(row.issued_at.timestamp()),
            "exp": token.expires_at(),
        }
        if row.user is not None:
            payload["sub"] = row.user.sub
            payload["username"] = row.user.username
        if row.sid:
            payload["sid"] = row.sid
        return payload
