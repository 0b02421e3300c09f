"""pyoidc (``oic`` on PyPI) as the relying party: discovery, dynamic registration,
the code flow with its own ID token validation, userinfo and refresh."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

import pytest
import requests

from tests.interop.conftest import HTTP_TIMEOUT, follow, sign_in_by_form

oic = pytest.importorskip("oic", reason="pyoidc (oic) is not installed")

from oic.oic import Client  # noqa: E402
from oic.oic.message import (  # noqa: E402
    AccessTokenResponse,
    AuthorizationResponse,
    OpenIDSchema,
    RegistrationResponse,
)
from oic.utils.authn.client import CLIENT_AUTHN_METHOD  # noqa: E402
from oic.utils.settings import OicClientSettings  # noqa: E402

pytestmark = pytest.mark.interop

REDIRECT = "http://localhost:5072/callback"


def test_pyoidc_discovers_registers_logs_in_and_refreshes(ohid, portal_user):
    rp = Client(
        client_authn_method=CLIENT_AUTHN_METHOD,
        settings=OicClientSettings(timeout=HTTP_TIMEOUT),
    )
    rp.provider_config(ohid.issuer)
    assert rp.provider_info["issuer"] == ohid.issuer

    registration = rp.register(
        rp.provider_info["registration_endpoint"],
        redirect_uris=[REDIRECT],
        grant_types=["authorization_code", "refresh_token"],
    )
    assert isinstance(registration, RegistrationResponse)
    assert registration["client_id"].startswith("dyn-")

    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    request = rp.construct_AuthorizationRequest(
        request_args={
            "client_id": rp.client_id,
            "response_type": "code",
            "scope": ["openid", "profile", "email", "offline_access"],
            "nonce": nonce,
            "redirect_uri": REDIRECT,
            "state": state,
            "prompt": "consent",
        }
    )
    browser = requests.Session()
    first = browser.get(
        request.request(rp.provider_info["authorization_endpoint"]),
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    page = follow(browser, first, REDIRECT)
    answer = sign_in_by_form(browser, page, portal_user["username"], stop_at=REDIRECT)
    callback = answer.headers["Location"]
    response = rp.parse_response(
        AuthorizationResponse, info=urlsplit(callback).query, sformat="urlencoded"
    )
    assert response["state"] == state

    tokens = rp.do_access_token_request(
        state=state,
        request_args={"code": response["code"], "redirect_uri": REDIRECT},
        authn_method="client_secret_basic",
    )
    assert isinstance(tokens, AccessTokenResponse), tokens
    # pyoidc verified the ID token's signature (JWKS), iss, aud, nonce and times.
    id_token = tokens["id_token"]
    assert id_token["iss"] == ohid.issuer and id_token["nonce"] == nonce
    assert id_token["email"] == portal_user["email"]

    info = rp.do_user_info_request(state=state)
    assert isinstance(info, OpenIDSchema) and info["sub"] == id_token["sub"]

    refreshed = rp.do_access_token_refresh(state=state, authn_method="client_secret_basic")
    assert isinstance(refreshed, AccessTokenResponse), refreshed
    assert refreshed["refresh_token"] != tokens["refresh_token"]
    assert refreshed["id_token"]["sub"] == id_token["sub"]
