"""The whole portal login with Authlib's OAuth client against a live server."""

from __future__ import annotations

from urllib.parse import urljoin

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.helpers import csrf_token

CLIENT_ID = "optum-connect-claims-online"
CLIENT_SECRET = "claims-online-demo-secret"
REDIRECT_URI = "http://localhost:5001/callback"


def _browser_sign_in(
    browser: requests.Session,
    url: str,
    username: str,
    password: str,
    redirect_uri: str = REDIRECT_URI,
) -> str:
    """Follow the IdP's pages like a person would; return the redirect to the portal."""
    response = browser.get(url, allow_redirects=False)
    while response.is_redirect:
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(redirect_uri):
            return location
        response = browser.get(location, allow_redirects=False)
    assert "One Healthcare ID or Email Address" in response.text
    response = browser.post(
        response.url,
        data={"csrf_token": csrf_token(response.text), "identifier": username},
        allow_redirects=True,
    )
    assert "Password" in response.text
    response = browser.post(
        response.url,
        data={"csrf_token": csrf_token(response.text), "password": password},
        allow_redirects=False,
    )
    while response.is_redirect:
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(redirect_uri):
            return location
        response = browser.get(location, allow_redirects=False)
    raise AssertionError(f"never got back to the portal: {response.url}")


def test_portal_login_with_authlib_client(live_server):
    issuer = live_server.url
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
    assert metadata["issuer"] == issuer

    rp = OAuth2Session(
        CLIENT_ID,
        CLIENT_SECRET,
        scope="openid profile email",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    verifier = "v" * 20 + "erifier-for-the-authlib-relying-party-test-0123"
    nonce = "nonce-from-the-portal"
    url, state = rp.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    callback = _browser_sign_in(requests.Session(), url, "demo.provider", "Password1")
    assert f"iss={requests.utils.quote(issuer, safe='')}" in callback

    token = rp.fetch_token(
        metadata["token_endpoint"],
        authorization_response=callback,
        code_verifier=verifier,
        state=state,
    )
    keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=5).json())
    decoded = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        {"nonce": {"value": nonce}, "iss": {"value": issuer}, "aud": {"value": CLIENT_ID}},
        {"nonce": nonce, "access_token": token["access_token"]},
    )
    claims.validate()
    assert claims["preferred_username"] == "demo.provider"
    assert claims["amr"] == ["pwd"]

    info = rp.get(metadata["userinfo_endpoint"]).json()
    assert info["sub"] == claims["sub"]
    assert info["email"] == "demo.provider@example.com"
