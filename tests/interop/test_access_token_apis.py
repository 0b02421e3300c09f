"""Portal APIs that take mock-ohid's access tokens with their libraries'
defaults: express-oauth2-jwt-bearer (npm) and a Flask API on PyJWT's
PyJWKClient validate the JWT from the issuer's discovery and JWKS; a third API
(flask-oidc 2 in resource-server mode) introspects it with its own client,
registered as a resource server. Each accepts a token from a real sign-in and
refuses one after its ``exp``."""

from __future__ import annotations

import time

import jwt
import pytest
import requests

from tests.interop.conftest import HTTP_TIMEOUT, code_flow_tokens, new_user, newcomer_client
from tests.interop.rp_process import INTEROP, node_folder, start_node, start_wsgi
from tests.live import free_port

pytestmark = pytest.mark.interop

PORTAL = "orders-portal"
PORTAL_REDIRECT = "http://localhost:5074/callback"
API_CLIENT = "orders-api"
# express-oauth2-jwt-bearer's default clockTolerance.
JWT_BEARER_LEEWAY = 5


@pytest.fixture(scope="module")
def portal_secret(shared_ohid):
    return newcomer_client(shared_ohid, PORTAL, PORTAL_REDIRECT)


@pytest.fixture(scope="module")
def signed_in(shared_ohid, portal_secret):
    """A user's tokens from a real sign-in to the portal."""
    user = new_user(shared_ohid, "api.caller")
    tokens = code_flow_tokens(shared_ohid, PORTAL, portal_secret, PORTAL_REDIRECT, "api.caller")
    return user, tokens


@pytest.fixture(scope="module")
def expired_token(shared_ohid, signed_in):
    """An access token for the portal that lived one second, and its ``exp``."""
    user, _ = signed_in
    issued = shared_ohid.qa.tokens(PORTAL, user["username"], scope="openid", expires_in=1)
    token = issued["access_token"]
    return token, jwt.decode(token, options={"verify_signature": False})["exp"]


def _wait_until(instant: float) -> None:
    """The real clock passing ``instant`` (token times are real, not the QA clock's)."""
    remaining = instant - time.time()
    if remaining > 0:
        time.sleep(remaining)


def _claims(api: str, token: str) -> requests.Response:
    return requests.get(
        f"{api}/api/claims", headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT
    )


@pytest.fixture(scope="module")
def jwt_bearer_api(shared_ohid, tmp_path_factory):
    folder = node_folder("jwt-bearer")
    port = free_port()
    log = tmp_path_factory.mktemp("jwt-bearer") / "api.log"
    rp = start_node(folder, "api.mjs", log, shared_ohid.issuer, PORTAL, str(port), port=port)
    try:
        yield rp
    finally:
        rp.stop()


@pytest.fixture(scope="module")
def pyjwt_api(shared_ohid, tmp_path_factory):
    log = tmp_path_factory.mktemp("pyjwt") / "api.log"
    rp = start_wsgi(
        INTEROP / "flask_apps",
        "pyjwt_api:app",
        log,
        OHID_ISSUER=shared_ohid.issuer,
        AUDIENCE=PORTAL,
    )
    try:
        yield rp
    finally:
        rp.stop()


@pytest.fixture(scope="module")
def introspecting_api(shared_ohid, tmp_path_factory):
    secret = newcomer_client(
        shared_ohid,
        API_CLIENT,
        "http://localhost:5075/unused",
        "--grant-type",
        "client_credentials",
        "--introspect-any",
    )
    log = tmp_path_factory.mktemp("introspecting") / "api.log"
    rp = start_wsgi(
        INTEROP / "flask_apps",
        "introspecting_api:app",
        log,
        OHID_ISSUER=shared_ohid.issuer,
        CLIENT_ID=API_CLIENT,
        CLIENT_SECRET=secret,
    )
    try:
        yield rp
    finally:
        rp.stop()


def test_the_access_token_is_a_jwt_for_the_portal(shared_ohid, signed_in):
    user, tokens = signed_in
    header = jwt.get_unverified_header(tokens["access_token"])
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert header["typ"] == "at+jwt"
    assert claims["iss"] == shared_ohid.issuer and claims["client_id"] == PORTAL
    assert claims["aud"] in (PORTAL, [PORTAL])


def test_express_oauth2_jwt_bearer_accepts_the_access_token(jwt_bearer_api, signed_in):
    user, tokens = signed_in
    answer = _claims(jwt_bearer_api.url, tokens["access_token"])
    assert answer.status_code == 200, f"{answer.text}\n{jwt_bearer_api.output()}"
    assert answer.json()["client_id"] == PORTAL


def test_pyjwt_api_accepts_the_access_token(pyjwt_api, signed_in):
    user, tokens = signed_in
    answer = _claims(pyjwt_api.url, tokens["access_token"])
    assert answer.status_code == 200, f"{answer.text}\n{pyjwt_api.output()}"
    assert answer.json()["client_id"] == PORTAL


def test_an_api_introspecting_as_its_own_client_accepts_the_access_token(
    introspecting_api, signed_in
):
    user, tokens = signed_in
    answer = _claims(introspecting_api.url, tokens["access_token"])
    assert answer.status_code == 200, f"{answer.text}\n{introspecting_api.output()}"
    assert answer.json()["active"] is True and answer.json()["client_id"] == PORTAL


def test_pyjwt_api_refuses_the_access_token_after_its_exp(pyjwt_api, expired_token):
    token, exp = expired_token
    _wait_until(exp + 1)
    answer = _claims(pyjwt_api.url, token)
    assert answer.status_code == 401
    assert answer.json()["detail"] == "Signature has expired"


def test_an_api_introspecting_as_its_own_client_refuses_the_access_token_after_its_exp(
    introspecting_api, expired_token
):
    token, exp = expired_token
    _wait_until(exp + 1)
    answer = _claims(introspecting_api.url, token)
    assert answer.status_code == 401, answer.text


def test_express_oauth2_jwt_bearer_refuses_the_access_token_after_its_exp(
    jwt_bearer_api, expired_token
):
    token, exp = expired_token
    _wait_until(exp + JWT_BEARER_LEEWAY + 1.01)
    answer = _claims(jwt_bearer_api.url, token)
    assert answer.status_code == 401
    assert answer.json() == {
        "error": "invalid_token",
        "message": '"exp" claim timestamp check failed',
    }


def test_both_jwt_apis_refuse_a_token_issued_to_another_client(
    shared_ohid, signed_in, jwt_bearer_api, pyjwt_api
):
    user, _ = signed_in
    newcomer_client(shared_ohid, "another-portal", "http://localhost:5076/callback")
    token = shared_ohid.qa.tokens("another-portal", user["username"])["access_token"]
    express = _claims(jwt_bearer_api.url, token)
    assert express.status_code == 401
    assert express.json() == {"error": "invalid_token", "message": "Unexpected 'aud' value"}
    pyjwt = _claims(pyjwt_api.url, token)
    assert pyjwt.status_code == 401 and pyjwt.json()["detail"] == "Audience doesn't match"


def test_an_api_registered_without_introspect_any_refuses_and_the_audit_says_why(
    shared_ohid, signed_in, tmp_path
):
    user, tokens = signed_in
    secret = newcomer_client(
        shared_ohid,
        "plain-api",
        "http://localhost:5077/unused",
        "--grant-type",
        "client_credentials",
    )
    rp = start_wsgi(
        INTEROP / "flask_apps",
        "introspecting_api:app",
        tmp_path / "api.log",
        OHID_ISSUER=shared_ohid.issuer,
        CLIENT_ID="plain-api",
        CLIENT_SECRET=secret,
    )
    try:
        answer = _claims(rp.url, tokens["access_token"])
    finally:
        rp.stop()
    assert answer.status_code == 401
    (event,) = [
        e for e in shared_ohid.events("token_introspected_inactive") if "plain-api" in str(e)
    ]
    assert "another client" in str(event), event
