"""Client authentication (RFC 6749 §2.3, OIDC Core §9): HTTP Basic read as
RFC 6749 §2.3.1 says, ``private_key_jwt`` (RFC 7523 §2.2), and errors that
name the method a client is registered for.

For ``private_key_jwt`` the client signs a short-lived JWT with its private
key; we verify it with the public keys it registered, either inline (``jwks``)
or at a ``jwks_uri``, fetched under the server's fetch rules
(:mod:`idp.security.fetch`: loopback, the issuer's host and
``security.allowed_fetch_hosts``; no redirects, one deadline, a byte cap).
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote_plus

from authlib.oauth2.rfc6749 import InvalidClientError
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import bindparam, delete, insert
from sqlalchemy.exc import IntegrityError

from ..clock import real_now
from ..extensions import db, execute_plain, get_settings
from ..lifecycle.clients import find_client
from ..models import ClientAssertion
from ..security.fetch import FetchError, fetch

ASSERTION_ALGS = ["RS256", "ES256"]
# A key set is a few KB; its server has this long to send all of it.
JWKS_FETCH_SECONDS = 3
JWKS_MAX_BYTES = 64 * 1024

# Built once: SQLAlchemy then reuses their compiled forms instead of rebuilding them.
_FORGET_EXPIRED = delete(ClientAssertion).where(ClientAssertion.expires_at < bindparam("moment"))
_REMEMBER = insert(ClientAssertion)


def basic_credentials(headers) -> tuple[str | None, str | None]:
    """The client id and secret of an HTTP Basic ``Authorization`` header.

    RFC 6749 §2.3.1: both are form-urlencoded before Basic encoding, so ``+``
    is a space and ``%XX`` an escaped byte.
    """
    scheme, _, encoded = (headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None, None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        return unquote_plus(client_id), None
    return unquote_plus(client_id), secret


def authenticate_client_secret_basic(query_client, request):
    """``client_secret_basic`` with RFC 6749 §2.3.1 decoding.

    Many clients send the secret without form-encoding it; a secret that
    only matches as sent is accepted too.
    """
    client_id, raw_secret = basic_credentials(request.headers)
    if not client_id or not raw_secret:
        return None
    client = query_client(client_id)
    if client is None:
        raise InvalidClientError(
            status_code=401, description="The client does not exist on this server."
        )
    for secret in dict.fromkeys((unquote_plus(raw_secret), raw_secret)):
        if client.check_client_secret(secret):
            return client
    return None


def describe_auth_failure(request, methods: list[str]) -> str | None:
    """Why client authentication failed, naming the client's registered method."""
    client_id, _ = basic_credentials(request.headers)
    client_id = client_id or request.payload.data.get("client_id")
    client = find_client(client_id)
    if client is None:
        return None
    registered = client.token_endpoint_auth_method
    if registered not in methods:
        return (
            f"Client {client_id!r} is registered for {registered}, "
            f"which this endpoint does not take ({', '.join(methods)})."
        )
    return f"Client authentication failed: {client_id!r} is registered for {registered}."


def _fetched_key_set(uri: str) -> dict:
    try:
        answer = fetch(
            uri,
            rule=get_settings().fetch_rule,
            seconds=JWKS_FETCH_SECONDS,
            max_bytes=JWKS_MAX_BYTES,
            headers={"Accept": "application/json"},
        )
    except FetchError as exc:
        raise InvalidClientError(
            description=f"The client's keys cannot be read from its jwks_uri: {exc}."
        ) from None
    if answer.status != 200:
        followed = " (redirects are not followed)" if 300 <= answer.status < 400 else ""
        raise InvalidClientError(
            description=(
                f"The client's keys cannot be read: its jwks_uri answered HTTP "
                f"{answer.status}{followed}."
            )
        )
    data = answer.json()
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise ValueError("the jwks_uri did not serve a JSON Web Key Set")
    return data


def client_key_set(client) -> KeySet:
    """The public keys a client registered for signing its assertions."""
    metadata = client.client_metadata
    try:
        if metadata.get("jwks"):
            return KeySet.import_key_set(metadata["jwks"])
        uri = metadata.get("jwks_uri")
        if uri:
            return KeySet.import_key_set(_fetched_key_set(uri))
    except (ValueError, TypeError, KeyError, JoseError) as exc:
        raise InvalidClientError(
            description=f"The client's keys cannot be read: {type(exc).__name__}."
        ) from None
    raise InvalidClientError(description="The client registered no keys (jwks or jwks_uri).")


def _number(value) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


class PrivateKeyJwtAuthentication(JWTBearerClientAssertion):
    """RFC 7523 client assertions: short-lived, each ``jti`` usable once."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def get_audiences(self) -> list[str]:
        # OIDC Core §9: the audience SHOULD be the token endpoint; the issuer
        # identifier is accepted too (RFC 7523 §3, and what openid-client sends).
        issuer = get_settings().issuer
        return [issuer, f"{issuer}/token", f"{issuer}/revoke", f"{issuer}/introspect"]

    def resolve_client_public_key(self, client) -> KeySet:
        return client_key_set(client)

    def extract_assertion(self, assertion: str):
        try:
            return super().extract_assertion(assertion)
        except RecursionError:
            # A payload nested too deep for the JSON parser is malformed, not a crash.
            raise InvalidClientError(description="Invalid JWT payload.") from None

    def process_assertion_claims(self, assertion, resolve_key):
        try:
            token = jwt.decode(assertion, resolve_key, algorithms=ASSERTION_ALGS)
        except (JoseError, ValueError) as exc:
            raise InvalidClientError(description="The client assertion is not valid.") from exc
        self.verify_claims(token.claims)
        return token.claims

    def verify_claims(self, claims) -> None:
        # A long-lived assertion is a reusable credential: refuse it before
        # its jti is stored. Token timestamps are real time, not the QA clock.
        cap = get_settings()["clients.max_assertion_seconds"]
        exp, iat = _number(claims.get("exp")), _number(claims.get("iat"))
        if exp is not None and (
            exp - real_now().timestamp() > cap + self.leeway
            or (iat is not None and exp - iat > cap)
        ):
            raise InvalidClientError(
                description=f"The client assertion may live at most {cap} seconds."
            )
        super().verify_claims(claims)

    def validate_jti(self, claims, jti) -> bool:
        """Remember ``jti`` until the assertion expires (real time); a second use is refused."""
        execute_plain(_FORGET_EXPIRED, {"moment": real_now()})
        # verify_claims has checked that exp is a number within the cap.
        expires_at = datetime.fromtimestamp(claims["exp"], UTC) + timedelta(seconds=self.leeway)
        try:
            # The (client_id, jti) unique constraint refuses a second use, however it races.
            execute_plain(
                _REMEMBER,
                {"client_id": str(claims["sub"]), "jti": str(jti)[:255], "expires_at": expires_at},
            )
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return False
        return True
