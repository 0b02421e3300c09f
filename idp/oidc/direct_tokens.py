"""Tokens without a browser (SPEC §5.4 ``POST /_qa/tokens``).

What the token endpoint would return for a code that ``user`` just granted
``client``: the same token generator, the same storage (``save_token``) and
the same ID token signing as the code flow. The tokens hang on a code that is
created already redeemed, so userinfo, introspection, revocation and refresh
treat them exactly like code-flow tokens.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from authlib.oauth2 import OAuth2Request
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload

from ..crypto.digests import token_digest
from ..extensions import get_clock, get_settings
from ..store import oauth as oauth_store
from ..store.models import AuthorizationCode, OAuth2Client, User
from .claims import DEFAULT_ACR
from .id_tokens import OhidOpenIDCode
from .tokens import generate_tokens, save_token

# Recorded as the grant type of the "token_issued" audit event.
GRANT_TYPE = "urn:mock-ohid:qa-tokens"


class DirectTokenRequest(OAuth2Request):
    """A token request answered in-process: the client and user are already known."""

    def __init__(self, client: OAuth2Client, user: User, code: AuthorizationCode):
        super().__init__("POST", get_settings().issuer + "/token")
        self.payload = BasicOAuth2Payload({"grant_type": GRANT_TYPE, "scope": code.scope})
        self.client = client
        self.user = user
        self.authorization_code = code

    @property
    def args(self):
        return {}

    @property
    def form(self):
        return self.payload.data


def issue_tokens(
    client: OAuth2Client,
    user: User,
    scope: str,
    *,
    claims_request: dict | None = None,
    acr: str | None = None,
    amr: list[str] | None = None,
    nonce: str | None = None,
    expires_in: int | None = None,
) -> dict:
    """The token response the token endpoint would give, stored and audited (written
    with the unit of work)."""
    clock = get_clock()
    moment = clock.now()
    code = AuthorizationCode(
        code_hash=token_digest(secrets.token_urlsafe(48)),
        client_id=client.client_id,
        user_id=user.id,
        redirect_uri="",
        scope=scope,
        nonce=nonce,
        auth_time=clock.timestamp(),
        acr=acr or DEFAULT_ACR,
        amr=list(amr or ["pwd"]),
        claims_request=claims_request,
        created_at=moment,
        expires_at=moment + timedelta(seconds=get_settings().tokens.authorization_code_seconds),
        # Redeemed at once: it can never be exchanged at /token.
        used_at=moment,
    )
    oauth_store.add_code(code)
    request = DirectTokenRequest(client, user, code)
    token = generate_tokens(
        request,
        "authorization_code",
        user=user,
        scope=scope,
        expires_in=expires_in,
        include_refresh_token=True,
    )
    save_token(token, request)
    if "openid" in scope.split():
        token["id_token"] = OhidOpenIDCode().encode_id_token(token, request)
    return dict(token)
