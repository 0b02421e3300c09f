"""Token grants beside the code flow: refresh (RFC 6749 §6) and client credentials (§4.4).

Refresh tokens rotate: each use returns a new refresh token and revokes the
old one (RFC 9700 §4.14.2, refresh token rotation). Within
``tokens.refresh_grace_seconds`` of its rotation the old token may be presented
again and gets valid tokens (portals whose processes refresh one session at
once); after the window, presenting it is taken as theft and revokes every
token of the grant.
"""

from __future__ import annotations

from authlib.oauth2.rfc6749 import InvalidGrantError, InvalidScopeError, grants

from ..audit import record_event
from ..extensions import get_clock, get_settings
from ..lifecycle.tokens import revoke_grant
from ..store import oauth as oauth_store
from ..store.models import Token, User
from .code_grant import ALL_CLIENT_AUTH_METHODS, CONFIDENTIAL_AUTH_METHODS
from .tokens import IssuesAccessTokens, find_by_refresh_token, was_rotated


class RefreshTokenGrant(IssuesAccessTokens, grants.RefreshTokenGrant):
    """RFC 6749 §6 with rotation and reuse detection."""

    TOKEN_ENDPOINT_AUTH_METHODS = ALL_CLIENT_AUTH_METHODS
    # RFC 9700 §4.14.2: public clients' refresh tokens MUST be sender-constrained
    # or rotated; we rotate for every client.
    INCLUDE_NEW_REFRESH_TOKEN = True
    # Whether the grant was live when this request claimed its refresh token.
    grant_was_live = True

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        row = find_by_refresh_token(refresh_token)
        if row is None:
            return None
        if row.refresh_expires_at is not None and get_clock().now() >= row.refresh_expires_at:
            return None
        # Whether a rotated or revoked token may still be used is decided by the
        # atomic claim in issue_token, so racing requests all get the same rule.
        return row

    def authenticate_user(self, refresh_token: Token) -> User | None:
        user = refresh_token.user
        if user is None or user.deactivated_at is not None:
            return None
        return user

    def issue_token(self, user, refresh_token: Token):
        self.grant_was_live = refresh_token.access_revoked_at is None
        if not claim_refresh_token(refresh_token):
            reused = was_rotated(refresh_token)
            # RFC 9700 §4.14.2: a rotated refresh token presented after the grace
            # window is taken as stolen: the whole grant goes. Revoking is
            # idempotent, so a token that was revoked anyway changes nothing.
            revoked = revoke_grant(refresh_token)
            if reused:
                record_event(
                    "refresh_token_reused",
                    refresh_token.user,
                    client_id=refresh_token.client_id,
                    revoked=revoked,
                )
            # Refused with invalid_grant, an answer the unit of work commits with.
            raise InvalidGrantError("The refresh token has already been used.")
        return super().issue_token(user, refresh_token)

    def revoke_old_credential(self, refresh_token: Token) -> None:
        # Already revoked when claimed in issue_token; kept to spot reuse. Called
        # once the new tokens are saved, so a grant revoked meanwhile is seen here.
        if self.grant_was_live:
            _revoke_if_grant_died(refresh_token)


def claim_refresh_token(token: Token) -> bool:
    """Atomically take ``token`` for one refresh: unused, or rotated within the grace window.

    One conditional UPDATE decides, so however requests race, a token rotated
    less than ``tokens.refresh_grace_seconds`` ago is accepted and an older
    rotation, or a revoked grant, is refused.
    """
    return oauth_store.claim_refresh_token(
        token, get_clock().now(), get_settings().tokens.refresh_grace_seconds
    )


def _revoke_if_grant_died(parent: Token) -> None:
    """Revoke the tokens just issued from ``parent`` if its grant was revoked meanwhile.

    A reuse racing this rotation may revoke the grant between our claim and
    the new row's insert; the reuse cannot see that row, so we look after it.
    """
    if oauth_store.reread_token(parent).access_revoked_at is not None:
        revoke_grant(parent)


class ClientCredentialsGrant(IssuesAccessTokens, grants.ClientCredentialsGrant):
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
