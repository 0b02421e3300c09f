"""The Authlib authorization server, wired: grants, client authentication,
extensions and endpoints, each from the module of its spec section.

OAuth 2.0 (RFC 6749) and OpenID Connect Core 1.0 rules are Authlib's; the
modules wired here only tell Authlib where things are stored and which clock
and keys to use.
"""

from __future__ import annotations

from authlib.integrations.flask_oauth2 import AuthorizationServer as FlaskAuthorizationServer
from authlib.oauth2 import OAuth2Request
from authlib.oauth2.rfc6749 import UnsupportedResponseTypeError
from flask import request as flask_request

from ..lifecycle.clients import find_client
from ..lifecycle.interactions import SignedInUser
from ..signals import sso_session_ended
from .backchannel import send_backchannel_logouts
from .claims import SCOPES_SUPPORTED
from .client_auth import PrivateKeyJwtAuthentication, authenticate_client
from .code_grant import (
    AuthorizationCodeGrant,
    OhidCodeChallenge,
    OhidIssuerParameter,
)
from .id_tokens import OhidOpenIDCode, OhidOpenIDRefresh
from .tokens import generate_bearer_token, save_token
from .userinfo import OhidBearerTokenValidator, OhidResourceProtector, OhidUserInfoEndpoint

__all__ = ["SignedInUser", "init_oauth", "query_client", "require_oauth", "server"]

# Endpoints whose answers carry tokens or client secrets.
NO_STORE_ENDPOINTS = ("oidc.token", "oidc.introspect", "oidc.revoke")


class OnlyCodeResponseTypeError(UnsupportedResponseTypeError):
    """unsupported_response_type, saying what is supported and echoing nothing."""

    DESCRIPTION = "Only response_type code is supported (the authorization code flow)."

    def __init__(self, redirect_uri=None):
        super().__init__(None, self.DESCRIPTION, redirect_uri=redirect_uri)

    def get_error_description(self):
        return self.DESCRIPTION


class OhidAuthorizationServer(FlaskAuthorizationServer):
    """Authlib's Flask server, accepting saved requests (interactions) too."""

    def create_oauth2_request(self, request):
        # A resumed interaction hands in a ready OAuth2Request built from saved params.
        if isinstance(request, OAuth2Request):
            return request
        return super().create_oauth2_request(request)

    def get_authorization_grant(self, request):
        try:
            return super().get_authorization_grant(request)
        except UnsupportedResponseTypeError as error:
            # Authlib's own description is the response_type the request sent.
            raise OnlyCodeResponseTypeError(redirect_uri=error.redirect_uri) from None
        except ValueError:
            # Authlib will not echo a response_type outside RFC 6749's error
            # charset (§5.2), so the refusal is shown here, not redirected.
            raise OnlyCodeResponseTypeError() from None

    def authenticate_client(self, request, methods, endpoint="token"):
        # A secret by Basic or in the body, errors that say what went wrong
        # (client_auth); Authlib's loop over methods would hide both.
        client, request.auth_method = authenticate_client(request, methods)
        return client

    def handle_response(self, status_code, payload, headers):
        response = super().handle_response(status_code, payload, headers)
        # RFC 7591 answers on the /register URL it shares with the account form.
        registration = flask_request.path == "/register" and flask_request.is_json
        if flask_request.endpoint in NO_STORE_ENDPOINTS or registration:
            # RFC 6749 §5.1: token responses MUST NOT be cached.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response


query_client = find_client
server = OhidAuthorizationServer()
require_oauth = OhidResourceProtector()


def init_oauth(app) -> None:
    """Wire the server to the app: grants, client auth, OIDC, RFC 9207 and the endpoints."""
    from .client_registration import OhidClientRegistrationEndpoint
    from .end_session import OhidEndSessionEndpoint
    from .grants import ClientCredentialsGrant, RefreshTokenGrant
    from .revocation import OhidIntrospectionEndpoint, OhidRevocationEndpoint

    app.config.setdefault("OAUTH2_SCOPES_SUPPORTED", SCOPES_SUPPORTED)
    # Portals that signed in through an SSO session hear when it ends.
    sso_session_ended.connect(send_backchannel_logouts)
    server.init_app(app, query_client=find_client, save_token=save_token)
    # init_app installs Authlib's default generator; ours reads lifetimes from settings.
    server.register_token_generator("default", generate_bearer_token)
    if not getattr(server, "_mock_ohid_wired", False):
        server.register_grant(
            AuthorizationCodeGrant, [OhidCodeChallenge(required=True), OhidOpenIDCode()]
        )
        server.register_grant(RefreshTokenGrant, [OhidOpenIDRefresh()])
        server.register_grant(ClientCredentialsGrant)
        server.register_client_auth_method("private_key_jwt", PrivateKeyJwtAuthentication())
        server.register_extension(OhidIssuerParameter())
        require_oauth.register_token_validator(OhidBearerTokenValidator())
        server.register_endpoint(OhidUserInfoEndpoint(resource_protector=require_oauth))
        server.register_endpoint(OhidRevocationEndpoint)
        server.register_endpoint(OhidIntrospectionEndpoint)
        server.register_endpoint(OhidEndSessionEndpoint)
        server.register_endpoint(OhidClientRegistrationEndpoint())
        server._mock_ohid_wired = True
