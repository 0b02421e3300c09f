"""The authorization code grant (RFC 6749 §4.1) with PKCE (RFC 7636) and the
``iss`` authorization response parameter (RFC 9207).

Codes are stored as digests and claimed atomically, so a code is used once
whatever races it; a code presented twice revokes what it issued.

A token request reads first and writes last: the code is checked (client,
``redirect_uri``, PKCE, expiry) and every token signed, then the code is
claimed (with a private_key_jwt assertion's id) and the tokens written, all in
the request's one commit. No write lock is held while tokens are signed, and a
request that fails a check leaves the code unused (RFC 6749 §4.1.3 and RFC 7636
§4.6 ask for a refusal, not for the code to be used up).
"""

from __future__ import annotations

from datetime import timedelta

from authlib.oauth2.rfc6749 import InvalidGrantError, InvalidRequestError, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9207 import IssuerParameter

from ..audit import record_event
from ..crypto.digests import token_digest
from ..extensions import get_clock, get_settings
from ..lifecycle.interactions import SignedInUser
from ..lifecycle.tokens import revoke_tokens_of_code
from ..policy.claims import parse_claims_request
from ..store import oauth as oauth_store
from ..store.models import AuthorizationCode, User
from .claims import DEFAULT_ACR
from .client_auth import authenticate_client, record_used_assertion
from .id_tokens import remember_real_auth_time
from .response_modes import form_post
from .tokens import IssuesAccessTokens, random_token

ALL_CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none", "private_key_jwt"]
CONFIDENTIAL_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]


class OhidCodeChallenge(CodeChallenge):
    """PKCE (RFC 7636) with S256 only, required of public clients."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        client = grant.request.client
        challenge = grant.request.payload.data.get("code_challenge")
        if client is not None and client.is_public and not challenge:
            # RFC 9700 §2.1.1: public clients MUST use PKCE.
            raise InvalidRequestError("Missing 'code_challenge': PKCE is required for this client.")
        if challenge and not grant.request.payload.data.get("code_challenge_method"):
            # RFC 7636 §4.3: an absent method means "plain", which is not supported;
            # refused rather than guessed, so the client learns to send S256.
            raise InvalidRequestError("Missing 'code_challenge_method': only S256 is supported.")
        return super().validate_code_challenge(grant, redirect_uri)

    def get_authorization_code_challenge(self, authorization_code):
        return authorization_code.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code):
        return authorization_code.code_challenge_method


class AuthorizationCodeGrant(IssuesAccessTokens, grants.AuthorizationCodeGrant):
    """RFC 6749 §4.1 with codes stored as digests and single use enforced atomically."""

    TOKEN_ENDPOINT_AUTH_METHODS = ALL_CLIENT_AUTH_METHODS

    @staticmethod
    def validate_authorization_redirect_uri(request, client):
        redirect_uri = request.payload.redirect_uri
        if redirect_uri and not client.check_redirect_uri(redirect_uri):
            # Named, not echoed: the value is the caller's text, and RFC 6749
            # §4.1.2.1 limits error_description to printable ASCII without " or \.
            raise InvalidRequestError("The 'redirect_uri' is not registered for this client.")
        return grants.AuthorizationCodeGrant.validate_authorization_redirect_uri(request, client)

    def authenticate_token_endpoint_client(self):
        # A private_key_jwt assertion's id is only checked here: it is recorded with
        # the code's claim, after the tokens are signed (``create_token_response``).
        client, self.request.auth_method = authenticate_client(
            self.request, self.TOKEN_ENDPOINT_AUTH_METHODS, record_assertion_later=True
        )
        self.server.send_signal("after_authenticate_client", client=client, grant=self)
        return client

    def generate_authorization_code(self) -> str:
        return random_token(self.AUTHORIZATION_CODE_LENGTH)

    def save_authorization_code(self, code: str, request) -> None:
        """Store the code as a digest, in the authorization endpoint's transaction.

        A plain INSERT: the code is not read back before it is redeemed at /token
        (Authlib ignores what this returns), so it needs no row object.
        """
        granted: SignedInUser = request.user
        payload = request.payload.data
        moment = get_clock().now()
        challenge = payload.get("code_challenge")
        # Written with the authorization request's unit of work.
        oauth_store.insert_code(
            {
                "code_hash": token_digest(code),
                "client_id": request.client.get_client_id(),
                "user_id": granted.user.id,
                "redirect_uri": payload.get("redirect_uri") or "",
                "scope": request.scope or "",
                "nonce": payload.get("nonce") or None,
                "auth_time": granted.auth_time,
                # What the session achieved; a password alone is level 1 (see README).
                "acr": granted.acr or DEFAULT_ACR,
                "amr": list(granted.amr),
                "sid": granted.sid,
                "claims_request": parse_claims_request(payload.get("claims")),
                "code_challenge": challenge,
                "code_challenge_method": (
                    payload.get("code_challenge_method") if challenge else None
                ),
                "created_at": moment,
                "expires_at": moment
                + timedelta(seconds=get_settings().tokens.authorization_code_seconds),
                "used_at": None,
            },
        )

    def query_authorization_code(self, code: str, client) -> AuthorizationCode | None:
        """The unused, unexpired code ``code`` of ``client``, read only: it is claimed
        in ``create_token_response`` once its tokens are signed."""
        found = oauth_store.find_code(token_digest(code or ""))
        if found is None or found[0].client_id != client.get_client_id():
            return None
        row, real_auth_time = found
        if row.sid:
            remember_real_auth_time(row.sid, real_auth_time)
        if row.used_at is not None:
            _refuse_reused_code(row)
            # Refused with invalid_grant, an answer the unit of work commits with.
            return None
        if get_clock().now() >= row.expires_at:
            return None
        return row

    def save_token(self, token: dict) -> None:
        # Kept until the code is claimed: ``create_token_response`` writes it.
        self._issued = token

    def create_token_response(self):
        """Authlib's response (tokens made, the ID token signed by its hook), then
        the writes: the client assertion's id and the code claimed, and only if this
        request won both, the tokens."""
        self._issued = None
        answer = super().create_token_response()
        record_used_assertion(self.request)
        code = self.request.authorization_code
        # Of two racing requests exactly one wins the claim; the loser finds the
        # winner's tokens written, revokes them, and writes none of its own.
        if not oauth_store.claim_code(code.id, get_clock().now()):
            _refuse_reused_code(code)
            raise InvalidGrantError("Invalid 'code' in request.")
        self.server.save_token(self._issued, self.request)
        return answer

    def create_authorization_response(self, redirect_uri: str, grant_user):
        mode = self.request.payload.data.get("response_mode")
        if mode != "form_post":
            return super().create_authorization_response(redirect_uri, grant_user)
        self.request.user = grant_user
        code = self.generate_authorization_code()
        self.save_authorization_code(code, self.request)
        params = [("code", code)]
        if self.request.payload.state:
            params.append(("state", self.request.payload.state))
        return form_post(redirect_uri, params)

    def delete_authorization_code(self, authorization_code) -> None:
        # Marked used when claimed (``create_token_response``); the row stays to detect reuse.
        return None

    def authenticate_user(self, authorization_code) -> User | None:
        user = authorization_code.user
        if user is None or user.deactivated_at is not None:
            return None
        return user


def _refuse_reused_code(row: AuthorizationCode) -> None:
    """RFC 6749 §4.1.2: a code used twice MUST be denied and SHOULD revoke the
    tokens previously issued from it; the reuse is recorded."""
    revoked = revoke_tokens_of_code(row.id)
    record_event(
        "authorization_code_reused", username=None, client_id=row.client_id, revoked=revoked
    )


class OhidIssuerParameter(IssuerParameter):
    """RFC 9207: ``iss`` in every authorization response."""

    def get_issuer(self) -> str:
        return get_settings().issuer
