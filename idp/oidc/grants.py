"""Token grants beside the code flow: refresh (RFC 6749 §6) and client credentials (§4.4).

Refresh tokens rotate: each use returns a new refresh token and revokes the
old one. Presenting a rotated (already used) refresh token again is treated as
theft and revokes every token descended from the same authorization code
(RFC 9700 §4.14.2, refresh token rotation).
"""

from __future__ import annotations

from authlib.oauth2.rfc6749 import InvalidGrantError, InvalidScopeError, grants

from ..audit import record_event
from ..extensions import db, get_clock
from ..models import Token, User
from ..security.digests import token_digest

ALL_CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none", "private_key_jwt"]
CONFIDENTIAL_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]


def token_family(token: Token) -> list[Token]:
    """Every token issued from the same authorization code as ``token``."""
    if token.authorization_code_id is None:
        return [token]
    return list(
        db.session.execute(
            db.select(Token).filter_by(authorization_code_id=token.authorization_code_id)
        ).scalars()
    )


def revoke_family(token: Token) -> int:
    """Revoke the access and refresh tokens of ``token``'s whole family."""
    moment = get_clock().now()
    family = token_family(token)
    for member in family:
        member.access_revoked_at = member.access_revoked_at or moment
        if member.refresh_token_hash:
            member.refresh_revoked_at = member.refresh_revoked_at or moment
    return len(family)


def was_rotated(token: Token) -> bool:
    """Whether a newer token was issued in exchange for this refresh token."""
    return db.session.execute(db.select(Token.id).filter_by(parent_id=token.id)).first() is not None


class RefreshTokenGrant(grants.RefreshTokenGrant):
    """RFC 6749 §6 with rotation and reuse detection."""

    TOKEN_ENDPOINT_AUTH_METHODS = ALL_CLIENT_AUTH_METHODS
    # RFC 9700 §4.14.2: public clients' refresh tokens MUST be sender-constrained
    # or rotated; we rotate for every client.
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        if not refresh_token or len(refresh_token) > 512:
            return None
        row = db.session.execute(
            db.select(Token).filter_by(refresh_token_hash=token_digest(refresh_token))
        ).scalar_one_or_none()
        if row is None:
            return None
        if row.refresh_revoked_at is not None:
            if was_rotated(row):
                revoked = revoke_family(row)
                record_event(
                    "refresh_token_reused", row.user, client_id=row.client_id, revoked=revoked
                )
                db.session.commit()
            return None
        if row.refresh_expires_at is not None and get_clock().now() >= row.refresh_expires_at:
            return None
        return row

    def authenticate_user(self, refresh_token: Token) -> User | None:
        user = refresh_token.user
        if user is None or user.deactivated_at is not None:
            return None
        return user

    def issue_token(self, user, refresh_token: Token):
        # Claim the refresh token atomically: of two racing requests exactly one wins.
        claimed = db.session.execute(
            db.update(Token)
            .where(Token.id == refresh_token.id, Token.refresh_revoked_at.is_(None))
            .values(refresh_revoked_at=get_clock().now())
        ).rowcount
        db.session.commit()
        if claimed != 1:
            raise InvalidGrantError("The refresh token has already been used.")
        return super().issue_token(user, refresh_token)

    def revoke_old_credential(self, refresh_token: Token) -> None:
        # Already revoked when claimed in issue_token; kept to spot reuse.
        return None


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    """RFC 6749 §4.4 for confidential clients registered with this grant type.

    The token stands for the client itself, so user scopes make no sense here.
    """

    TOKEN_ENDPOINT_AUTH_METHODS = CONFIDENTIAL_AUTH_METHODS

    def validate_token_request(self):
        super().validate_token_request()
        if self.request.payload.scope:
            raise InvalidScopeError(
                "client_credentials tokens carry no user, so they take no scope."
            )
