"""``private_key_jwt`` client authentication (RFC 7523 §2.2, OIDC Core §9).

The client signs a short-lived JWT with its private key; we verify it with the
public keys it registered, either inline (``jwks``) or at a ``jwks_uri``. This
sandbox only reaches loopback, so only localhost ``jwks_uri`` values are fetched.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import requests
from authlib.oauth2.rfc6749 import InvalidClientError
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy.exc import IntegrityError

from ..clock import real_now
from ..extensions import db, get_settings
from ..models import ClientAssertion

ASSERTION_ALGS = ["RS256", "ES256"]
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
FETCH_TIMEOUT_SECONDS = 3


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` is an http(s) URL on this machine (all this sandbox can reach)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and (parts.hostname or "") in LOOPBACK_HOSTS


def _fetched_key_set(uri: str) -> dict:
    if not is_loopback_url(uri):
        raise InvalidClientError(
            description="Only localhost jwks_uri values can be fetched by this mock."
        )
    response = requests.get(uri, timeout=FETCH_TIMEOUT_SECONDS)
    response.raise_for_status()
    data = response.json()
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
    except (requests.RequestException, ValueError, TypeError, KeyError, JoseError) as exc:
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
        moment = real_now()
        db.session.execute(db.delete(ClientAssertion).where(ClientAssertion.expires_at < moment))
        # verify_claims has checked that exp is a number within the cap.
        expires_at = datetime.fromtimestamp(claims["exp"], UTC) + timedelta(seconds=self.leeway)
        db.session.add(
            ClientAssertion(client_id=str(claims["sub"]), jti=str(jti)[:255], expires_at=expires_at)
        )
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return False
        return True
