"""The Authlib authorization server, its grants and the bearer-token protector.

OAuth 2.0 (RFC 6749) and OpenID Connect Core 1.0 rules are Authlib's; this
module only tells Authlib where things are stored and which clock and keys to
use.
"""

from __future__ import annotations

from datetime import timedelta

from authlib.integrations.flask_oauth2 import AuthorizationServer as FlaskAuthorizationServer
from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.oauth2 import OAuth2Request
from authlib.oauth2.rfc6749 import InvalidRequestError, grants
from authlib.oauth2.rfc6749.errors import MissingAuthorizationError
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oauth2.rfc6750 import BearerTokenValidator, InvalidTokenError
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9207 import IssuerParameter
from authlib.oidc.core import UserInfoEndpoint
from authlib.oidc.core.grants import OpenIDCode, OpenIDToken
from flask import request as flask_request
from sqlalchemy import bindparam

from ..audit import record_event
from ..extensions import db, get_clock, get_key_store, get_settings
from ..lifecycle.browser import SignedInUser
from ..lifecycle.clients import find_client
from ..models import AuthorizationCode, Token, User
from ..policy.claims import parse_claims_request
from ..security.digests import token_digest
from .claims import DEFAULT_ACR, SCOPES_SUPPORTED, generate_user_info, requested_claims


class OhidAuthorizationServer(FlaskAuthorizationServer):
    """Authlib's Flask server, accepting saved requests (interactions) too."""

    issues_refresh_tokens = False

    def create_oauth2_request(self, request):
        # A resumed interaction hands in a ready OAuth2Request built from saved params.
        if isinstance(request, OAuth2Request):
            return request
        return super().create_oauth2_request(request)

    def handle_response(self, status_code, payload, headers):
        response = super().handle_response(status_code, payload, headers)
        if flask_request.endpoint in (
            "oidc.token",
            "oidc.introspect",
            "oidc.revoke",
        ) or (flask_request.path == "/register" and flask_request.is_json):
            # RFC 6749 §5.1: token responses MUST NOT be cached.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response


query_client = find_client


def save_token(token: dict, request) -> Token:
    """Store an issued token as digests, linked to its code and SSO session."""
    moment = get_clock().now()
    code = request.authorization_code
    granted = request.user
    user = granted.user if isinstance(granted, SignedInUser) else granted
    parent = getattr(request, "refresh_token", None)
    source = code if code is not None else parent
    row = Token(
        access_token_hash=token_digest(token["access_token"]),
        refresh_token_hash=token_digest(token["refresh_token"])
        if token.get("refresh_token")
        else None,
        client_id=request.client.get_client_id(),
        user_id=user.id if user is not None else None,
        scope=token.get("scope", ""),
        token_type=token.get("token_type", "Bearer"),
        issued_at=moment,
        expires_in=int(token["expires_in"]),
        refresh_expires_at=(
            moment + timedelta(seconds=get_settings().tokens.refresh_token_seconds)
            if token.get("refresh_token")
            else None
        ),
        authorization_code_id=code.id
        if code is not None
        else getattr(parent, "authorization_code_id", None),
        sid=getattr(source, "sid", None),
        auth_time=getattr(source, "auth_time", None),
        amr=list(getattr(source, "amr", None) or []),
        acr=getattr(source, "acr", None),
        parent_id=parent.id if parent is not None else None,
    )
    db.session.add(row)
    record_event(
        "token_issued",
        user,
        client_id=row.client_id,
        grant_type=request.payload.grant_type,
        scope=row.scope,
    )
    db.session.commit()
    return row


def issues_refresh_token(grant_type: str, client, scope: str | None) -> bool:
    """Refresh tokens go to clients allowed the refresh_token grant that asked for
    ``offline_access`` (OIDC Core §11), from the code flow and from refreshes."""
    return (
        grant_type in ("authorization_code", "refresh_token")
        and client.check_grant_type("refresh_token")
        and "offline_access" in (scope_to_list(scope or "") or [])
    )


def generate_bearer_token(
    grant_type, client, user=None, scope=None, expires_in=None, include_refresh_token=True
) -> dict:
    """Random bearer tokens with the configured lifetime (RFC 6750)."""
    from authlib.common.security import generate_token

    lifetime = expires_in or get_settings().tokens.access_token_seconds
    token = {
        "token_type": "Bearer",
        "access_token": generate_token(43),
        "expires_in": lifetime,
    }
    if scope:
        token["scope"] = scope
    if (
        include_refresh_token
        and server.issues_refresh_tokens
        and issues_refresh_token(grant_type, client, scope)
    ):
        token["refresh_token"] = generate_token(48)
    return token


class OhidCodeChallenge(CodeChallenge):
    """PKCE (RFC 7636) with S256 only, required of public clients."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        client = grant.request.client
        challenge = grant.request.payload.data.get("code_challenge")
        if client is not None and client.is_public and not challenge:
            # RFC 9700 §2.1.1: public clients MUST use PKCE.
            raise InvalidRequestError("Missing 'code_challenge': PKCE is required for this client.")
        return super().validate_code_challenge(grant, redirect_uri)

    def get_authorization_code_challenge(self, authorization_code):
        return authorization_code.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code):
        return authorization_code.code_challenge_method


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    """RFC 6749 §4.1 with codes stored as digests and single use enforced atomically."""

    TOKEN_ENDPOINT_AUTH_METHODS = [
        "client_secret_basic",
        "client_secret_post",
        "none",
        "private_key_jwt",
    ]

    def save_authorization_code(self, code: str, request) -> AuthorizationCode:
        granted: SignedInUser = request.user
        payload = request.payload.data
        moment = get_clock().now()
        claims_request = parse_claims_request(payload.get("claims"))
        row = AuthorizationCode(
            code_hash=token_digest(code),
            client_id=request.client.get_client_id(),
            user_id=granted.user.id,
            redirect_uri=payload.get("redirect_uri") or "",
            scope=request.scope or "",
            nonce=payload.get("nonce") or None,
            auth_time=granted.auth_time,
            # What the session achieved; a password alone is level 1 (see README).
            acr=granted.acr or DEFAULT_ACR,
            amr=list(granted.amr),
            sid=granted.sid,
            claims_request=claims_request,
            code_challenge=payload.get("code_challenge"),
            code_challenge_method=payload.get("code_challenge_method")
            or ("S256" if payload.get("code_challenge") else None),
            created_at=moment,
            expires_at=moment + timedelta(seconds=get_settings().tokens.authorization_code_seconds),
        )
        db.session.add(row)
        db.session.commit()
        return row

    def query_authorization_code(self, code: str, client) -> AuthorizationCode | None:
        moment = get_clock().now()
        row = db.session.execute(
            db.select(AuthorizationCode).filter_by(code_hash=token_digest(code or ""))
        ).scalar_one_or_none()
        if row is None or row.client_id != client.get_client_id():
            return None
        # Claim the code atomically: of two racing requests exactly one wins.
        claimed = db.session.execute(
            db.update(AuthorizationCode)
            .where(AuthorizationCode.id == row.id, AuthorizationCode.used_at.is_(None))
            .values(used_at=moment)
        ).rowcount
        db.session.commit()
        if claimed != 1:
            # RFC 6749 §4.1.2: a code used twice MUST be denied and SHOULD
            # revoke the tokens previously issued from it.
            revoke_tokens_of_code(row)
            return None
        if moment >= row.expires_at:
            return None
        return row

    def delete_authorization_code(self, authorization_code) -> None:
        # Already marked used when claimed; the row stays to detect reuse.
        return None

    def authenticate_user(self, authorization_code) -> User | None:
        user = db.session.get(User, authorization_code.user_id)
        if user is None or user.deactivated_at is not None:
            return None
        return user


def revoke_tokens_of_code(code: AuthorizationCode) -> int:
    """Revoke every token issued from ``code`` (and refreshed from those)."""
    moment = get_clock().now()
    tokens = (
        db.session.execute(db.select(Token).filter_by(authorization_code_id=code.id))
        .scalars()
        .all()
    )
    for token in tokens:
        token.access_revoked_at = token.access_revoked_at or moment
        if token.refresh_token_hash:
            token.refresh_revoked_at = token.refresh_revoked_at or moment
    record_event(
        "authorization_code_reused", username=None, client_id=code.client_id, revoked=len(tokens)
    )
    db.session.commit()
    return len(tokens)


class IdTokenSigning:
    """How our ID tokens are signed and stamped: the client's algorithm, our keys and clock."""

    def resolve_client_private_key(self, client):
        alg = self.get_client_algorithm(client)
        return get_key_store().signing_key(alg, get_clock().now()).private_key()

    def get_client_algorithm(self, client) -> str:
        return client.id_token_signed_response_alg or "RS256"

    def get_encode_header(self, client) -> dict:
        alg = self.get_client_algorithm(client)
        key = get_key_store().signing_key(alg, get_clock().now())
        return {"alg": alg, "kid": key.kid, "typ": "JWT"}

    def get_client_claims(self, client) -> dict:
        return {"iss": get_settings().issuer, "aud": [client.get_client_id()]}

    def get_compatible_claims(self, request) -> dict:
        issued = get_clock().timestamp()
        claims = self.get_client_claims(request.client)
        claims["iat"] = issued
        claims["exp"] = issued + get_settings().tokens.id_token_seconds
        return claims

    def generate_user_info(self, user, scope):
        return generate_user_info(user, scope)


# Built once: SQLAlchemy then reuses its compiled form (every authorization asks).
_NONCE_USED = db.select(AuthorizationCode.id).where(
    AuthorizationCode.client_id == bindparam("client_id"),
    AuthorizationCode.nonce == bindparam("nonce"),
)


class OhidOpenIDCode(IdTokenSigning, OpenIDCode):
    """OIDC Core §3.1: the ID token of the code flow."""

    def exists_nonce(self, nonce, request) -> bool:
        # Nonce replay across codes of one client (OIDC Core §3.1.2.1 nonce).
        return (
            db.session.execute(
                _NONCE_USED, {"client_id": request.payload.client_id, "nonce": nonce}
            ).first()
            is not None
        )

    def get_authorization_code_claims(self, authorization_code) -> dict:
        claims = super().get_authorization_code_claims(authorization_code)
        if authorization_code.sid:
            claims["sid"] = authorization_code.sid
        # OIDC Core §5.5: claims asked for by name in the "claims" request parameter.
        claims.update(
            requested_claims(authorization_code.user, authorization_code.claims_request, "id_token")
        )
        return claims


class OhidOpenIDRefresh(IdTokenSigning, OpenIDToken):
    """OIDC Core §12.2: a refresh response carries a new ID token for the same
    authentication: same ``sub`` and ``auth_time``, and no ``nonce``."""

    def get_compatible_claims(self, request) -> dict:
        claims = super().get_compatible_claims(request)
        parent = request.refresh_token
        if parent.auth_time:
            claims["auth_time"] = parent.auth_time
        if parent.acr:
            claims["acr"] = parent.acr
        if parent.amr:
            claims["amr"] = list(parent.amr)
        if parent.sid:
            claims["sid"] = parent.sid
        return claims


class OhidIssuerParameter(IssuerParameter):
    """RFC 9207: ``iss`` in every authorization response."""

    def get_issuer(self) -> str:
        return get_settings().issuer


class OhidBearerTokenValidator(BearerTokenValidator):
    """RFC 6750 bearer tokens looked up by digest, expiry read from our clock."""

    def authenticate_token(self, token_string):
        if not token_string or len(token_string) > 512:
            return None
        return db.session.execute(
            db.select(Token).filter_by(access_token_hash=token_digest(token_string))
        ).scalar_one_or_none()

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
            raise MissingAuthorizationError(self._default_auth_type, self._default_realm)
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
        code = (
            db.session.get(AuthorizationCode, token.authorization_code_id)
            if token.authorization_code_id
            else None
        )
        if code is not None:
            info.update(requested_claims(user, code.claims_request, "userinfo"))
        return 200, info, [("Content-Type", "application/json")]

    def get_issuer(self) -> str:
        return get_settings().issuer

    def generate_user_info(self, user, scope):
        return generate_user_info(user, scope)


server = OhidAuthorizationServer()
require_oauth = OhidResourceProtector()


def init_oauth(app) -> None:
    """Wire the server to the app: grants, client auth, OIDC, RFC 9207 and the endpoints."""
    from ..signals import sso_session_ended
    from .backchannel import send_backchannel_logouts
    from .client_auth import PrivateKeyJwtAuthentication
    from .end_session import OhidEndSessionEndpoint
    from .grants import ClientCredentialsGrant, RefreshTokenGrant
    from .registration import OhidClientRegistrationEndpoint
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
        server.issues_refresh_tokens = True
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
