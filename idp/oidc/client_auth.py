"""Client authentication (RFC 6749 §2.3, OIDC Core §9): a secret by HTTP Basic
(read as RFC 6749 §2.3.1 says) or in the body, ``private_key_jwt`` (RFC 7523
§2.2), and errors that say which of these went wrong (``policy.client_auth``).

For ``private_key_jwt`` the client signs a short-lived JWT with its private
key; we verify it with the public keys it registered, either inline (``jwks``)
or at a ``jwks_uri``, fetched under the server's fetch rules
(:mod:`idp.fetch`: loopback, the issuer's host and
``security.allowed_fetch_hosts``; no redirects, one deadline, a byte cap).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote_plus

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import InvalidClientError
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..clock import real_now
from ..extensions import get_settings
from ..fetch import FetchError, fetch
from ..lifecycle.clients import find_client
from ..policy.client_auth import (
    BAD_BASIC_HEADER,
    MISSING_CREDENTIALS,
    SECRET_METHODS,
    UNKNOWN_CLIENT,
    WRONG_SECRET,
    presented_method,
    refusal,
)
from ..store import oauth as oauth_store
from .internal_hosts import back_channel_base

ASSERTION_ALGS = ["RS256", "ES256"]
# A key set is a few KB; its server has this long to send all of it.
JWKS_FETCH_SECONDS = 3
JWKS_MAX_BYTES = 64 * 1024
# Authlib's words for a replayed assertion, said the same when a race finds it.
ASSERTION_USED_BEFORE = "JWT ID is used before."


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


class ClientAuthenticationFailed(InvalidClientError):
    """``invalid_client`` as RFC 6749 §5.2 asks: 401 with a ``WWW-Authenticate``
    challenge when the client used the ``Authorization`` header, 400 otherwise
    (RFC 9110 §15.5.2: a 401 always carries a challenge)."""

    def __init__(self, description: str, *, header_used: bool):
        super().__init__(description=description, status_code=401 if header_used else 400)

    def get_headers(self):
        headers = OAuth2Error.get_headers(self)
        if self.status_code == 401:
            headers.append(("WWW-Authenticate", f'Basic realm="{get_settings().issuer}"'))
        return headers


def _assertion_subject(request) -> str | None:
    """The ``sub`` of a client assertion, read before it is verified (to find the
    client); an assertion that is not a JWT raises InvalidClientError."""
    _, claims = PrivateKeyJwtAuthentication().extract_assertion(request.form["client_assertion"])
    subject = claims.get("sub")
    return subject if isinstance(subject, str) else None


def _secret_matches(client, secret: str, *, basic: bool) -> bool:
    # RFC 6749 §2.3.1 form-encodes Basic credentials, but many clients send the
    # secret as is: a Basic secret that only matches as sent is accepted too.
    candidates = (unquote_plus(secret), secret) if basic else (secret,)
    return any(client.check_client_secret(c) for c in dict.fromkeys(candidates))


def authenticate_client(request, endpoint_methods, *, record_assertion_later=False) -> tuple:
    """The client a token, revocation or introspection request authenticates as,
    and the method it used; :class:`ClientAuthenticationFailed` says why not.

    A private_key_jwt assertion's id is recorded as used at once; with
    ``record_assertion_later`` it is only checked, and kept on the request for
    :func:`record_used_assertion`, which the caller runs with its other writes.
    """
    form = request.form
    header_used = bool(request.headers.get("Authorization"))
    presented = presented_method(
        header=header_used,
        assertion=bool(form.get("client_assertion_type") and form.get("client_assertion")),
        body_secret=bool(form.get("client_secret")),
    )

    def refuse(text: str):
        return ClientAuthenticationFailed(text, header_used=header_used)

    secret = form.get("client_secret")
    if presented == "client_secret_basic":
        client_id, secret = basic_credentials(request.headers)
        if not client_id or secret is None:
            raise refuse(BAD_BASIC_HEADER)
    elif presented == "private_key_jwt":
        client_id = form.get("client_id") or _assertion_subject(request)
    else:
        client_id = form.get("client_id")
    if not client_id:
        raise refuse(MISSING_CREDENTIALS)
    client = find_client(client_id)
    if client is None:
        raise refuse(UNKNOWN_CLIENT)
    strict = client.strict_auth_method or get_settings().clients.strict_auth_method
    problem = refusal(
        client.token_endpoint_auth_method,
        presented,
        strict=strict,
        endpoint_methods=tuple(endpoint_methods),
    )
    if problem:
        raise refuse(problem)
    if presented == "private_key_jwt":
        # Raises InvalidClientError naming what is wrong with the assertion.
        method = PrivateKeyJwtAuthentication(record_later=record_assertion_later)
        client = method(find_client, request)
        if client is None:
            raise refuse("The client assertion was not accepted.")
        request.used_assertion = method.used
    elif presented in SECRET_METHODS and not _secret_matches(
        client, secret, basic=presented == "client_secret_basic"
    ):
        raise refuse(WRONG_SECRET)
    return client, presented


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


@dataclass(frozen=True)
class UsedAssertion:
    """A client assertion's id, to be recorded as used until it expires."""

    client_id: str
    jti: str
    expires_at: datetime

    def record(self) -> bool:
        """Record it; False when it was recorded already (the unique key decides,
        however requests race)."""
        oauth_store.forget_expired_assertions(real_now())
        return oauth_store.remember_assertion(self.client_id, self.jti, self.expires_at)


def record_used_assertion(request) -> None:
    """Record the assertion id that ``authenticate_client(record_assertion_later=True)``
    kept on ``request``, if any; InvalidClientError when a racing request used it first."""
    used = getattr(request, "used_assertion", None)
    if used is not None and not used.record():
        raise InvalidClientError(description=ASSERTION_USED_BEFORE)


class PrivateKeyJwtAuthentication(JWTBearerClientAssertion):
    """RFC 7523 client assertions: short-lived, each ``jti`` usable once."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def __init__(self, *, record_later: bool = False):
        super().__init__()
        self.record_later = record_later
        # With ``record_later``: the verified assertion's id, left to record.
        self.used: UsedAssertion | None = None

    def get_audiences(self) -> list[str]:
        # OIDC Core §9: the audience SHOULD be the token endpoint; the issuer
        # identifier is accepted too (RFC 7523 §3, and what openid-client sends).
        # Through an internal host name, its endpoints as discovery listed them count too.
        issuer = get_settings().issuer
        audiences = [issuer]
        for base in filter(None, (issuer, back_channel_base())):
            audiences += [f"{base}/token", f"{base}/revoke", f"{base}/introspect"]
        return audiences

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
        cap = get_settings().clients.max_assertion_seconds
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
        """Remember ``jti`` until the assertion expires (real time); a second use is
        refused. With ``record_later`` it is only looked up here, and kept in ``used``."""
        # verify_claims has checked that exp is a number within the cap.
        expires_at = datetime.fromtimestamp(claims["exp"], UTC) + timedelta(seconds=self.leeway)
        used = UsedAssertion(str(claims["sub"]), str(jti)[:255], expires_at)
        if self.record_later:
            self.used = used
            return not oauth_store.assertion_seen(used.client_id, used.jti, real_now())
        return used.record()
