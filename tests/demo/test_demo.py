"""The demo portals' own rules: logout tokens, registration URIs, bad callbacks, busy ports."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from idp.cli import main
from idp.demo.portal_app import LOGOUT_EVENT, check_logout_token, create_portal_app
from idp.demo.portals import PORTALS
from idp.demo.runner import portal_registration

ISSUER = "http://localhost:8765"
COP = PORTALS[0]


@pytest.fixture(scope="module")
def key():
    return RSAKey.generate_key(2048, parameters={"kid": "k1"})


def logout_token(key, **changes):
    claims = {
        "iss": ISSUER,
        "aud": COP.client_id,
        "iat": 1,
        "jti": "j1",
        "sid": "s1",
        "events": {LOGOUT_EVENT: {}},
    }
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)


def test_a_valid_logout_token_is_accepted(key):
    claims = check_logout_token(logout_token(key), KeySet([key]), ISSUER, COP.client_id)
    assert claims["sid"] == "s1"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iss": "http://elsewhere"}, "iss is not the issuer"),
        ({"aud": "optum-pro"}, "aud is not this portal"),
        ({"events": None}, "not a logout token"),
        ({"nonce": "n"}, "must not have a nonce"),
        # Neither sid nor sub: nothing says which session ended.
        ({"sid": None}, "no sid or sub"),
    ],
)
def test_bad_logout_tokens_are_refused_saying_why(key, changes, reason):
    token = logout_token(key, **changes)
    with pytest.raises(ValueError, match=reason):
        check_logout_token(token, KeySet([key]), ISSUER, COP.client_id)


def test_a_token_signed_by_another_key_is_refused(key):
    other = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    with pytest.raises(ValueError, match="signature"):
        check_logout_token(logout_token(other), KeySet([key]), ISSUER, COP.client_id)


def test_portal_registration_adds_its_uris_once():
    entry = {"client_id": COP.client_id, "redirect_uris": ["http://localhost:5001/callback"]}
    registered = portal_registration(entry, "http://localhost:5001")
    assert registered["redirect_uris"] == ["http://localhost:5001/callback"]
    assert registered["post_logout_redirect_uris"] == ["http://localhost:5001/"]
    assert registered["backchannel_logout_uri"] == "http://localhost:5001/backchannel-logout"
    moved = portal_registration(entry, "http://localhost:6001")
    assert moved["redirect_uris"][-1] == "http://localhost:6001/callback"


@pytest.fixture
def portal(live_server):
    app = create_portal_app(
        COP, live_server.url, "claims-online-demo-secret", "client_secret_basic", "http://x"
    )
    return app.test_client()


def test_backchannel_logout_with_a_bad_token_is_a_400(portal):
    response = portal.post("/backchannel-logout", data={"logout_token": "junk"})
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"
    assert response.json["error_description"].startswith("signature")


def test_a_callback_that_matches_no_login_says_so_on_the_landing_page(portal):
    response = portal.get("/callback?code=abc&state=forged")
    assert response.status_code == 302
    page = portal.get("/").get_data(as_text=True)
    assert "Sign-in did not finish" in page and "Log In (With OHID)" in page


def test_sign_out_without_a_form_token_is_refused(portal):
    assert portal.post("/logout").status_code == 400


def test_demo_on_a_busy_port_says_which_and_suggests_any_ports(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = CliRunner().invoke(main, ["demo"], env={"MOCK_OHID_SERVER_PORT": str(port)})
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "try --any-ports" in result.output
