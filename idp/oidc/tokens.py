"""Bearer tokens (RFC 6750) and refresh tokens (RFC 6749 §1.5, §6): issuing,
storing and finding them.

Token strings never reach the database: rows hold their digests. Revocation
(by user, by grant, by client) lives in ``lifecycle.tokens``, the one place
shared with the account lifecycle.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from authlib.common.security import UNICODE_ASCII_CHARACTER_SET
from authlib.oauth2.rfc6749.util import scope_to_list

from ..audit import record_event
from ..crypto.digests import token_digest
from ..extensions import get_clock, get_settings
from ..lifecycle.interactions import SignedInUser
from ..policy.scopes import gets_refresh_token
from ..store import oauth as oauth_store
from ..store.models import Token
from .access_tokens import access_token_format, jwt_access_token, requested_resources

# Longer strings are never issued (a JWT access token carrying every portal claim
# a user may have stays under it); refusing them early keeps odd input cheap.
MAX_TOKEN_LENGTH = 100_000

# Tokens and codes are drawn from Authlib's alphabet (letters and digits); a byte at
# or above this bound is skipped, so that every character is equally likely.
_UNBIASED_BELOW = 256 - 256 % len(UNICODE_ASCII_CHARACTER_SET)


def random_token(length: int) -> str:
    """``length`` letters and digits, uniformly random, as Authlib's ``generate_token``
    makes them, from one ``secrets`` read rather than one draw per character."""
    chars: list[str] = []
    while len(chars) < length:
        chars.extend(
            UNICODE_ASCII_CHARACTER_SET[byte % len(UNICODE_ASCII_CHARACTER_SET)]
            for byte in secrets.token_bytes(length + 8)
            if byte < _UNBIASED_BELOW
        )
    return "".join(chars[:length])


def issues_refresh_token(grant_type: str, client, scope: str | None) -> bool:
    """Whether this token response carries a refresh token (``policy.scopes``)."""
    return gets_refresh_token(
        grant_type,
        may_refresh=client.check_grant_type("refresh_token"),
        scopes=scope_to_list(scope or "") or [],
        requires_offline_access=get_settings().tokens.refresh_token_requires_offline_access,
    )


def generate_bearer_token(
    grant_type, client, user=None, scope=None, expires_in=None, include_refresh_token=True
) -> dict:
    """Random bearer tokens with the configured lifetime (RFC 6750)."""
    lifetime = expires_in or get_settings().tokens.access_token_seconds
    token = {
        "token_type": "Bearer",
        "access_token": random_token(43),
        "expires_in": lifetime,
    }
    if scope:
        token["scope"] = scope
    if include_refresh_token and issues_refresh_token(grant_type, client, scope):
        token["refresh_token"] = random_token(48)
    return token


def generate_tokens(
    request, grant_type, user=None, scope=None, expires_in=None, include_refresh_token=True
) -> dict:
    """The token response of ``request``: a JWT access token (RFC 9068) or an
    opaque one, as the client's ``access_token_format`` says, and a refresh token."""
    client = request.client
    token = generate_bearer_token(
        grant_type, client, user, scope, expires_in, include_refresh_token
    )
    if access_token_format(client) == "jwt":
        token["access_token"] = jwt_access_token(request, client, user, scope, token["expires_in"])
    return token


class IssuesAccessTokens:
    """Grant mixin: tokens come from :func:`generate_tokens` (which sees the
    request: the sign-in behind it, the ``resource`` asked for), and a bad
    ``resource`` is refused before a code or refresh token is used up."""

    def validate_token_request(self):
        requested_resources(self.request)
        return super().validate_token_request()

    def generate_token(
        self, user=None, scope=None, grant_type=None, expires_in=None, include_refresh_token=True
    ):
        return generate_tokens(
            self.request,
            grant_type or self.GRANT_TYPE,
            user=user,
            scope=scope,
            expires_in=expires_in,
            include_refresh_token=include_refresh_token,
        )


def save_token(token: dict, request) -> None:
    """Store an issued token as digests, linked to its code and SSO session.

    A plain INSERT: nothing reads the new row back in this request (Authlib's
    grants ignore what ``save_token`` returns; the response is ``token``).
    """
    moment = get_clock().now()
    code = request.authorization_code
    granted = request.user
    user = granted.user if isinstance(granted, SignedInUser) else granted
    parent = getattr(request, "refresh_token", None)
    source = code if code is not None else parent
    refresh = token.get("refresh_token")
    values = {
        "access_token_hash": token_digest(token["access_token"]),
        "refresh_token_hash": token_digest(refresh) if refresh else None,
        "client_id": request.client.get_client_id(),
        "user_id": user.id if user is not None else None,
        "scope": token.get("scope", ""),
        "token_type": token.get("token_type", "Bearer"),
        "issued_at": moment,
        "expires_in": int(token["expires_in"]),
        "refresh_expires_at": (
            moment + timedelta(seconds=get_settings().tokens.refresh_token_seconds)
            if refresh
            else None
        ),
        "authorization_code_id": code.id
        if code is not None
        else getattr(parent, "authorization_code_id", None),
        "sid": getattr(source, "sid", None),
        "auth_time": getattr(source, "auth_time", None),
        "amr": list(getattr(source, "amr", None) or []),
        "acr": getattr(source, "acr", None),
        "parent_id": parent.id if parent is not None else None,
    }
    oauth_store.insert_token(values)
    record_event(
        "token_issued",
        user,
        client_id=values["client_id"],
        grant_type=request.payload.grant_type,
        scope=values["scope"],
    )


def find_by_access_token(token_string: str | None) -> Token | None:
    """The token row whose access token is ``token_string``."""
    if not _may_be_token(token_string):
        return None
    return oauth_store.find_token_by_access_digest(token_digest(token_string))


def find_by_refresh_token(token_string: str | None) -> Token | None:
    """The token row whose refresh token is ``token_string``."""
    if not _may_be_token(token_string):
        return None
    return oauth_store.find_token_by_refresh_digest(token_digest(token_string))


def _may_be_token(token_string: str | None) -> bool:
    return bool(token_string) and len(token_string) <= MAX_TOKEN_LENGTH


def was_rotated(token: Token) -> bool:
    """Whether a newer token was issued in exchange for this refresh token."""
    return oauth_store.was_rotated(token)


@dataclass
class PresentedToken:
    """A stored token and which of its two strings was presented."""

    row: Token
    kind: str  # "access_token" or "refresh_token"
    presented: str = ""

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
    """The token whose access or refresh string is ``token_string`` (RFC 7009 §2.1:
    the ``token_type_hint`` only decides which is tried first)."""
    finders = [("access_token", find_by_access_token), ("refresh_token", find_by_refresh_token)]
    if hint == "refresh_token":
        finders.reverse()
    for kind, finder in finders:
        row = finder(token_string)
        if row is not None:
            return PresentedToken(row, kind, token_string)
    return None
