"""Bearer token usage (RFC 6750) and the UserInfo endpoint (OIDC Core §5.3)."""

from __future__ import annotations

from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc6749.errors import MissingAuthorizationError
from authlib.oauth2.rfc6750 import BearerTokenValidator, InvalidTokenError
from authlib.oidc.core import UserInfoEndpoint
from flask import request as flask_request

from ..crypto.digests import token_digest
from ..extensions import get_settings
from ..lifecycle.clients import find_client
from ..store import oauth as oauth_store
from ..store.models import Token
from .claims import generate_user_info, released_portal_claims, requested_claims
from .tokens import MAX_TOKEN_LENGTH


def find_bearer_token(token_string: str | None) -> Token | None:
    """The token whose access token is ``token_string``; its code's ``claims``
    request and its client are held for the rest of the request."""
    if not token_string or len(token_string) > MAX_TOKEN_LENGTH:
        return None
    return oauth_store.find_bearer_with_grant(token_digest(token_string))


class NoBearerToken(MissingAuthorizationError):
    """A request to a protected resource without any access token."""

    def get_headers(self):
        # RFC 6750 §3.1: a request without authentication information gets the
        # challenge only; the resource server SHOULD NOT include an error code.
        return [*OAuth2Error.get_headers(self), ("WWW-Authenticate", "Bearer")]


class OhidBearerTokenValidator(BearerTokenValidator):
    """RFC 6750 bearer tokens looked up by digest, expiry read from our clock."""

    def authenticate_token(self, token_string):
        return find_bearer_token(token_string)

    def validate_token(self, token, scopes, request):
        super().validate_token(token, scopes, request)
        user = token.get_user()
        if user is not None and user.deactivated_at is not None:
            raise InvalidTokenError(realm=self.realm, extra_attributes=self.extra_attributes)


class OhidResourceProtector(ResourceProtector):
    """Bearer tokens in the Authorization header or, for POST, the form body."""

    def parse_request_authorization(self, request):
        header = request.headers.get("Authorization")
        body_token = None
        if flask_request.method == "POST" and flask_request.mimetype == (
            "application/x-www-form-urlencoded"
        ):
            body_token = flask_request.form.get("access_token")
        if body_token and header:
            # RFC 6750 §2: clients MUST NOT use more than one method per request.
            raise InvalidRequestError("Send the access token in one place only.")
        if body_token:
            # RFC 6750 §2.2: the form-encoded body parameter "access_token".
            return self.get_token_validator("bearer"), body_token
        if not header:
            raise NoBearerToken(self._default_auth_type, self._default_realm)
        return super().parse_request_authorization(request)


class OhidUserInfoEndpoint(UserInfoEndpoint):
    """OIDC Core §5.3 UserInfo: claims by scope, plus those named in the
    ``claims`` request parameter (§5.5); only for tokens issued to a user."""

    def __call__(self, request):
        token = self.resource_protector.acquire_token("openid")
        user = token.get_user()
        if user is None:
            # A client_credentials token has no user whose claims could be returned.
            raise InvalidTokenError(description="The access token was not issued to a user.")
        info = self.generate_user_info(user, token.scope)
        claims_request = oauth_store.claims_request_held(token)
        if claims_request:
            info.update(requested_claims(user, claims_request, "userinfo"))
        info.update(released_portal_claims(find_client(token.client_id), user, token.scope))
        return 200, info, [("Content-Type", "application/json")]

    def get_issuer(self) -> str:
        return get_settings().issuer

    def generate_user_info(self, user, scope):
        return generate_user_info(user, scope)
