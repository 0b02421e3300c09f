"""passport with openid-client's Strategy (npm) as a newcomer's Express portal:
discovery, client id and secret, callback URL and openid-client's switch for an
http issuer, nothing else. Login through the real pages (the ID token validated
by openid-client), userinfo, refresh and RP-initiated logout."""

from __future__ import annotations

import pytest
import requests

from tests.interop.conftest import HTTP_TIMEOUT, follow, new_user, newcomer_client, sign_in_by_form
from tests.interop.rp_process import node_folder, start_node
from tests.live import free_port

pytestmark = pytest.mark.interop


@pytest.fixture
def passport_portal(shared_ohid, tmp_path):
    folder = node_folder("passport")
    port = free_port()
    origin = f"http://localhost:{port}"
    secret = newcomer_client(
        shared_ohid,
        "passport-portal",
        f"{origin}/callback",
        "--post-logout-redirect-uri",
        f"{origin}/signed-out",
    )
    rp = start_node(
        folder,
        "portal.mjs",
        tmp_path / "portal.log",
        shared_ohid.issuer,
        "passport-portal",
        secret,
        str(port),
        port=port,
    )
    try:
        yield rp
    finally:
        rp.stop()


def test_passport_portal_signs_in_reads_userinfo_refreshes_and_signs_out(
    shared_ohid, passport_portal
):
    user = new_user(shared_ohid, "passport.user")
    browser = requests.Session()
    first = browser.get(f"{passport_portal.url}/login", allow_redirects=False, timeout=HTTP_TIMEOUT)
    page = follow(browser, first, None)
    answer = sign_in_by_form(browser, page, user["username"])
    assert answer.status_code == 200, (
        f"{answer.url} {answer.text[:500]}\n{passport_portal.output()}"
    )
    me = answer.json()
    claims = me["claims"]
    assert claims["iss"] == shared_ohid.issuer and claims["aud"] in (
        "passport-portal",
        ["passport-portal"],
    )
    assert claims["email"] == user["email"]
    assert me["userinfo"]["sub"] == claims["sub"]

    refreshed = browser.get(f"{passport_portal.url}/refresh", timeout=HTTP_TIMEOUT)
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["access_token"] != me["access_token"]
    again = browser.get(f"{passport_portal.url}/me", timeout=HTTP_TIMEOUT)
    assert again.status_code == 200 and again.json()["userinfo"]["email"] == user["email"]

    out = follow(
        browser,
        browser.get(f"{passport_portal.url}/logout", allow_redirects=False, timeout=HTTP_TIMEOUT),
        None,
    )
    assert out.url == f"{passport_portal.url}/signed-out", out.url
    assert out.json() == {"signed_in": False}
    # Signed out of OHID too: the next login shows the sign-in page again.
    relogin = follow(
        browser,
        browser.get(f"{passport_portal.url}/login", allow_redirects=False, timeout=HTTP_TIMEOUT),
        None,
    )
    assert "/signin" in relogin.url, relogin.url


def test_passport_portal_with_a_wrong_secret_shows_the_mocks_reason(shared_ohid, tmp_path):
    folder = node_folder("passport")
    port = free_port()
    newcomer_client(shared_ohid, "passport-typo", f"http://localhost:{port}/callback")
    rp = start_node(
        folder,
        "portal.mjs",
        tmp_path / "portal.log",
        shared_ohid.issuer,
        "passport-typo",
        "not-the-secret",
        str(port),
        port=port,
    )
    try:
        user = new_user(shared_ohid, "passport.typo")
        browser = requests.Session()
        page = follow(
            browser,
            browser.get(f"{rp.url}/login", allow_redirects=False, timeout=HTTP_TIMEOUT),
            None,
        )
        answer = sign_in_by_form(browser, page, user["username"])
    finally:
        rp.stop()
    failure = answer.json()
    assert failure["code"] == "OAUTH_RESPONSE_BODY_ERROR", failure
    assert failure["cause"]["error"] == "invalid_client"
    assert failure["cause"]["error_description"] == "The client secret is wrong for this client_id."
