"""An Authlib portal whose ID token check is PyJWT's, with a real clock, while the
QA clock of the mock moves 31 minutes and then 91 days forward (SPEC §5.1)."""

from __future__ import annotations

import secrets

import jwt
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from tests.interop.conftest import HTTP_TIMEOUT, PASSWORD, follow, sign_in_by_form

pytestmark = pytest.mark.interop

CLIENT_ID = "authlib-portal"
SECRET = "authlib-portal-secret-0123456789"
REDIRECT = "http://localhost:5071/callback"


def _portal_login(ohid, username: str) -> dict:
    """The portal's code flow: Authlib builds the request and redeems the code."""
    metadata = requests.get(
        f"{ohid.issuer}/.well-known/openid-configuration", timeout=HTTP_TIMEOUT
    ).json()
    portal = OAuth2Session(CLIENT_ID, SECRET, scope="openid profile email", redirect_uri=REDIRECT)
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, state = portal.create_authorization_url(
        metadata["authorization_endpoint"],
        nonce=nonce,
        code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
    )
    browser = requests.Session()
    page = follow(browser, browser.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT), REDIRECT)
    assert "/signin" in page.url, page.headers.get("Location")
    # The portal's callback is not served: take the redirect the mock answers with.
    answer = sign_in_by_form(browser, page, username, stop_at=REDIRECT)
    callback = answer.headers["Location"]
    assert callback.startswith(REDIRECT), callback
    token = portal.fetch_token(
        metadata["token_endpoint"],
        authorization_response=callback,
        state=state,
        code_verifier=verifier,
        timeout=HTTP_TIMEOUT,
    )
    # The portal's own validation: PyJWT with the real clock and no leeway.
    keys = jwt.PyJWKClient(metadata["jwks_uri"], timeout=HTTP_TIMEOUT)
    key = keys.get_signing_key_from_jwt(token["id_token"])
    claims = jwt.decode(
        token["id_token"],
        key.key,
        algorithms=["RS256"],
        audience=CLIENT_ID,
        issuer=ohid.issuer,
        options={"require": ["iat", "exp", "auth_time", "nonce"]},
    )
    assert claims["nonce"] == nonce
    userinfo = portal.get(metadata["userinfo_endpoint"], timeout=HTTP_TIMEOUT)
    assert userinfo.status_code == 200 and userinfo.json()["sub"] == claims["sub"]
    return claims


def _user(ohid, username: str) -> None:
    ohid.qa.create_user(
        username=username,
        email=f"{username}@example.test",
        password=PASSWORD,
        first_name="Pat",
        last_name="Portal",
        email_verified=True,
    )


def test_authlib_portal_accepts_id_tokens_after_the_clock_moves(ohid):
    ohid.add_client(
        CLIENT_ID,
        "--secret",
        SECRET,
        "--redirect-uri",
        REDIRECT,
        "--grant-type",
        "authorization_code",
    )
    for move, username in (("31m", "pat.after31m"), ("91d", "pat.after91d")):
        ohid.qa.advance_clock(move)
        # A user made after the move, so 91 days on are not 91 days without a sign-in.
        _user(ohid, username)
        claims = _portal_login(ohid, username)
        assert claims["auth_time"] <= claims["iat"]
    assert ohid.qa.clock()["offset_seconds"] > 91 * 86400
