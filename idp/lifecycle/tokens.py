"""Revoking issued tokens: the one place, whoever asks.

A token row holds an access token and, optionally, its refresh token. Revoking
a row stamps both (RFC 7009 §2.1: revoking a refresh token SHOULD invalidate
the access tokens of the same grant). Tokens are revoked by user (password
change), by grant (a reused code or refresh token, a revoked refresh token)
or by client (the client was removed). Nothing here commits.
"""

from __future__ import annotations

from ..extensions import now
from ..store import oauth as oauth_store
from ..store.models import Token


def revoke_tokens_of_user(user_id: int) -> int:
    """Revoke every token issued to the user ``user_id``."""
    return oauth_store.revoke_tokens_of_user(user_id, now())


def revoke_tokens_of_client(client_id: str) -> int:
    """Revoke every token issued to the client ``client_id``."""
    return oauth_store.revoke_tokens_of_client(client_id, now())


def revoke_grant(token: Token) -> int:
    """Revoke ``token`` and every token of the same grant (its code and the refreshes)."""
    if token.authorization_code_id is None:
        return oauth_store.revoke_token_row(token.id, now())
    return revoke_tokens_of_code(token.authorization_code_id)


def revoke_tokens_of_code(authorization_code_id: int) -> int:
    """Revoke every token issued from one authorization code, refreshes included."""
    return oauth_store.revoke_tokens_of_code(authorization_code_id, now())


def end_session_bound_tokens(sid: str) -> int:
    """Revoke the tokens of SSO session ``sid`` that were not granted offline access:
    a refresh token without ``offline_access`` lives only as long as the sign-in."""
    return oauth_store.revoke_session_bound_tokens(sid, now())


def revoke_access_token(token: Token) -> None:
    """Revoke the access token of ``token`` only (RFC 7009 for an access token)."""
    token.access_revoked_at = token.access_revoked_at or now()
