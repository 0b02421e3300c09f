"""Revoking issued tokens: the one place, whoever asks.

A token row holds an access token and, optionally, its refresh token. Revoking
a row stamps both (RFC 7009 §2.1: revoking a refresh token SHOULD invalidate
the access tokens of the same grant). Tokens are revoked by user (password
change), by grant (a reused code or refresh token, a revoked refresh token)
or by client (the client was removed). Nothing here commits.
"""

from __future__ import annotations

from ..extensions import now
from ..store import db
from ..store.models import Token


def _revoke(condition) -> int:
    """Stamp every still-live token matching ``condition`` as revoked; how many."""
    moment = now()
    live = condition & (
        Token.access_revoked_at.is_(None)
        | (Token.refresh_token_hash.is_not(None) & Token.refresh_revoked_at.is_(None))
    )
    count = db.session.execute(db.select(db.func.count(Token.id)).where(live)).scalar_one()
    db.session.execute(
        db.update(Token)
        .where(condition, Token.access_revoked_at.is_(None))
        .values(access_revoked_at=moment)
    )
    db.session.execute(
        db.update(Token)
        .where(condition, Token.refresh_token_hash.is_not(None), Token.refresh_revoked_at.is_(None))
        .values(refresh_revoked_at=moment)
    )
    return count


def revoke_tokens_of_user(user_id: int) -> int:
    """Revoke every token issued to the user ``user_id``."""
    return _revoke(Token.user_id == user_id)


def revoke_tokens_of_client(client_id: str) -> int:
    """Revoke every token issued to the client ``client_id``."""
    return _revoke(Token.client_id == client_id)


def revoke_grant(token: Token) -> int:
    """Revoke ``token`` and every token of the same grant (its code and the refreshes)."""
    if token.authorization_code_id is None:
        return _revoke(Token.id == token.id)
    return revoke_tokens_of_code(token.authorization_code_id)


def revoke_tokens_of_code(authorization_code_id: int) -> int:
    """Revoke every token issued from one authorization code, refreshes included."""
    return _revoke(Token.authorization_code_id == authorization_code_id)


def end_session_bound_tokens(sid: str) -> int:
    """Revoke the tokens of SSO session ``sid`` that were not granted offline access:
    a refresh token without ``offline_access`` lives only as long as the sign-in."""
    spaced_scope = db.literal(" ") + Token.scope + db.literal(" ")
    offline = spaced_scope.contains(" offline_access ")
    return _revoke((Token.sid == sid) & Token.refresh_token_hash.is_not(None) & ~offline)


def revoke_access_token(token: Token) -> None:
    """Revoke the access token of ``token`` only (RFC 7009 for an access token)."""
    token.access_revoked_at = token.access_revoked_at or now()
