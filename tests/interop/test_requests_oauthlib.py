"""requests-oauthlib as a portal's OAuth client, set up as its docs say: the
authorization and token URLs from discovery, client id and secret, redirect URI,
OAUTHLIB_INSECURE_TRANSPORT for an http issuer, and its documented auto-refresh
(``auto_refresh_url`` with the client credentials in ``auto_refresh_kwargs``).
requests-oauthlib does not read ID tokens: the portal checks it with PyJWT."""

from __future__ import annotations

import time

import jwt
import pytest
import requests
from oauthlib.oauth2 import InsecureTransportError, InvalidClientError
from requests_oauthlib import OAuth2Session

from tests.interop.conftest import HTTP_TIMEOUT, follow, new_user, newcomer_client, sign_in_by_form

pytestmark = pytest.mark.interop

CLIENT_ID = "requests-oauthlib-portal"
REDIRECT = "http://localhost:5073/callback"


def test_requests_oauthlib_signs_in_reads_userinfo_and_auto_refreshes(shared_ohid, monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    secret = newcomer_client(shared_ohid, CLIENT_ID, REDIRECT)
    user = new_user(shared_ohid, "oauthlib.user")
    metadata = requests.get(
        f"{shared_ohid.issuer}/.well-known/openid-configuration", timeout=HTTP_TIMEOUT
    ).json()

    portal = OAuth2Session(CLIENT_ID, redirect_uri=REDIRECT, scope=["openid", "profile", "email"])
    url, _state = portal.authorization_url(metadata["authorization_endpoint"])
    browser = requests.Session()
    page = follow(browser, browser.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT), REDIRECT)
    callback = sign_in_by_form(browser, page, user["username"], stop_at=REDIRECT).headers[
        "Location"
    ]
    token = portal.fetch_token(
        metadata["token_endpoint"],
        client_secret=secret,
        authorization_response=callback,
        timeout=HTTP_TIMEOUT,
    )
    key = jwt.PyJWKClient(metadata["jwks_uri"], timeout=HTTP_TIMEOUT).get_signing_key_from_jwt(
        token["id_token"]
    )
    claims = jwt.decode(
        token["id_token"],
        key.key,
        algorithms=["RS256"],
        audience=CLIENT_ID,
        issuer=metadata["issuer"],
    )
    assert claims["email"] == user["email"]
    assert (
        portal.get(metadata["userinfo_endpoint"], timeout=HTTP_TIMEOUT).json()["sub"]
        == claims["sub"]
    )
    assert token.get("refresh_token"), sorted(token)

    # The same portal an hour later: the stored token has expired, and the
    # session refreshes it on its own before calling userinfo.
    saved = []
    stored = dict(token, expires_at=time.time() - 30)
    later = OAuth2Session(
        CLIENT_ID,
        token=stored,
        auto_refresh_url=metadata["token_endpoint"],
        auto_refresh_kwargs={"client_id": CLIENT_ID, "client_secret": secret},
        token_updater=saved.append,
    )
    info = later.get(metadata["userinfo_endpoint"], timeout=HTTP_TIMEOUT)
    assert info.status_code == 200 and info.json()["email"] == user["email"]
    assert len(saved) == 1 and saved[0]["access_token"] != token["access_token"]
    assert saved[0]["refresh_token"] != token["refresh_token"]


def test_requests_oauthlib_mistakes_say_what_is_wrong(shared_ohid, monkeypatch):
    metadata = requests.get(
        f"{shared_ohid.issuer}/.well-known/openid-configuration", timeout=HTTP_TIMEOUT
    ).json()
    portal = OAuth2Session("requests-oauthlib-typo", redirect_uri=REDIRECT, scope=["openid"])
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)
    with pytest.raises(InsecureTransportError):
        portal.authorization_url(metadata["authorization_endpoint"])

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    newcomer_client(shared_ohid, "requests-oauthlib-typo", REDIRECT)
    user = new_user(shared_ohid, "oauthlib.typo")
    url, _state = portal.authorization_url(metadata["authorization_endpoint"])
    browser = requests.Session()
    page = follow(browser, browser.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT), REDIRECT)
    callback = sign_in_by_form(browser, page, user["username"], stop_at=REDIRECT)
    with pytest.raises(InvalidClientError) as refused:
        portal.fetch_token(
            metadata["token_endpoint"],
            client_secret="not-the-secret",
            authorization_response=callback.headers["Location"],
            timeout=HTTP_TIMEOUT,
        )
    assert refused.value.description == "The client secret is wrong for this client_id."
