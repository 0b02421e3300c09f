"""flask-oidc 2 as a newcomer's Flask portal: a client_secrets document naming the
issuer, client id and secret, nothing else. Login through the real pages (the ID
token validated by Authlib inside flask-oidc), userinfo, the refresh flask-oidc
does on its own when the access token is about to expire, and its (local) logout.

The server issues 60-second access tokens here, a provider setting: flask-oidc
refreshes a token that expires within 60 seconds, so every page refreshes."""

from __future__ import annotations

import jwt
import pytest
import requests

from tests.interop.conftest import (
    HTTP_TIMEOUT,
    follow,
    new_user,
    newcomer_client,
    sign_in_by_form,
    start_ohid,
    stop_ohid,
)
from tests.interop.rp_process import INTEROP, start_wsgi
from tests.live import free_port

pytestmark = pytest.mark.interop

CLIENT_ID = "flask-oidc-portal"


@pytest.fixture(scope="module")
def short_token_ohid(tmp_path_factory):
    live = start_ohid(tmp_path_factory.mktemp("ohid"), MOCK_OHID_TOKENS_ACCESS_TOKEN_SECONDS="60")
    try:
        yield live
    finally:
        stop_ohid(live)


@pytest.fixture
def flask_oidc_portal(short_token_ohid, tmp_path):
    port = free_port()
    secret = newcomer_client(short_token_ohid, CLIENT_ID, f"http://localhost:{port}/authorize")
    rp = start_wsgi(
        INTEROP / "flask_apps",
        "flask_oidc_portal:app",
        tmp_path / "portal.log",
        port,
        OHID_ISSUER=short_token_ohid.issuer,
        CLIENT_ID=CLIENT_ID,
        CLIENT_SECRET=secret,
    )
    try:
        yield rp
    finally:
        rp.stop()


def test_flask_oidc_signs_in_reads_userinfo_refreshes_and_signs_out(
    short_token_ohid, flask_oidc_portal
):
    user = new_user(short_token_ohid, "flask.oidc.user")
    browser = requests.Session()
    page = follow(
        browser,
        browser.get(f"{flask_oidc_portal.url}/me", allow_redirects=False, timeout=HTTP_TIMEOUT),
        None,
    )
    answer = sign_in_by_form(browser, page, user["username"])
    assert answer.status_code == 200, (
        f"{answer.url} {answer.text[:500]}\n{flask_oidc_portal.output()}"
    )
    me = answer.json()
    id_token = jwt.decode(me["id_token"], options={"verify_signature": False})
    assert id_token["iss"] == short_token_ohid.issuer and id_token["aud"] in (
        CLIENT_ID,
        [CLIENT_ID],
    )
    assert me["profile"]["sub"] == id_token["sub"] and me["email"] == user["email"]

    again = browser.get(f"{flask_oidc_portal.url}/me", allow_redirects=False, timeout=HTTP_TIMEOUT)
    assert again.status_code == 200, again.headers.get("Location")
    assert again.json()["access_token"] != me["access_token"]

    out = follow(
        browser,
        browser.get(f"{flask_oidc_portal.url}/logout", allow_redirects=False, timeout=HTTP_TIMEOUT),
        None,
    )
    assert out.json() == {"signed_in": False}
