"""The debugger at /_qa/debugger: a relying party for any registered client, over HTTP."""

from __future__ import annotations

import re

import pytest
import requests

from tests.helpers import csrf_token

COP = "optum-connect-claims-online"


def start(session, base, **fields):
    page = session.get(f"{base}/_qa/debugger")
    assert page.status_code == 200
    data = {
        "csrf_token": csrf_token(page.text),
        "client_id": COP,
        "client_secret": "claims-online-demo-secret",
        "scope": "openid profile email portal offline_access",
        "prompt": "",
        "acr_values": "",
        "max_age": "",
        "login_hint": "",
        "start": "Start login",
    }
    data.update(fields)
    return session.post(f"{base}/_qa/debugger", data=data)


def sign_in(session, base, response, username="demo.provider", password="Password1"):
    assert "/signin" in response.url, response.url
    page = session.get(f"{base}/signin")
    answer = session.post(
        f"{base}/signin", data={"csrf_token": csrf_token(page.text), "identifier": username}
    )
    return session.post(
        f"{base}/signin/password",
        data={"csrf_token": csrf_token(answer.text), "password": password},
    )


def checks_of(html: str) -> dict[str, str]:
    rows = re.findall(r'data-check="([a-z_]+)">\s*<th[^>]*>[^<]*</th>\s*<td class="(\w+)"', html)
    return dict(rows)


@pytest.fixture
def session():
    with requests.Session() as s:
        yield s


def test_login_through_the_debugger_shows_every_check_passed(live_server, session):
    base = live_server.url
    result = sign_in(session, base, start(session, base, login_hint="demo.provider"))
    assert "/_qa/debugger/runs/" in result.url, result.url
    html = result.text
    assert checks_of(html) == {
        "signature": "passed",
        "iss": "passed",
        "aud": "passed",
        "exp": "passed",
        "iat": "passed",
        "nonce": "passed",
        "at_hash": "passed",
    }
    assert 'data-claim="npi"' in html and "1234567893" in html
    assert "HTTP 200" in html and "demo.provider@example.com" in html
    assert "login_hint=demo.provider" in html
    # The access token is a JWT: its header and claims are shown, its signature checked.
    assert 'id="access-token-claims"' in html and "at+jwt" in html
    assert 'Signature against the JWKS: <span class="passed">verified</span>' in html


def test_refresh_revoke_and_sign_out_from_the_debugger(live_server, session):
    base = live_server.url
    page = sign_in(session, base, start(session, base))
    refreshed = session.post(page.url + "/refresh", data={"csrf_token": csrf_token(page.text)})
    assert "Refreshed at the token endpoint" in refreshed.text
    # A refreshed ID token carries no nonce, and none is expected.
    assert checks_of(refreshed.text)["nonce"] == "passed"
    revoked = session.post(page.url + "/revoke", data={"csrf_token": csrf_token(refreshed.text)})
    assert "Tokens revoked; userinfo called again" in revoked.text
    assert "HTTP 401" in revoked.text and "invalid_token" in revoked.text
    signed_out = session.post(page.url + "/signout", data={"csrf_token": csrf_token(revoked.text)})
    assert 'id="signed-out"' in signed_out.text, signed_out.url


def test_throwaway_client_is_registered_in_a_click(live_server, session):
    base = live_server.url
    response = start(session, base, client_id="__throwaway__", client_secret="")
    # A dynamically registered client is not trusted: the consent screen comes first.
    after = sign_in(session, base, response)
    assert "Share my One Healthcare ID" in after.text
    allowed = session.post(after.url, data={"csrf_token": csrf_token(after.text), "allow": "Allow"})
    assert checks_of(allowed.text)["signature"] == "passed"
    client_id = allowed.text.split("<code>", 1)[1].split("</code>", 1)[0]
    assert client_id != COP and len(client_id) > 10


def test_error_answer_is_shown_without_a_token_call(live_server, session):
    base = live_server.url
    response = start(session, base, prompt="none")
    assert "/_qa/debugger/runs/" in response.url
    assert "login_required" in response.text and "Token response" not in response.text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"client_id": "nobody"}, "Pick a registered client or a throw-away one."),
        ({"client_secret": ""}, "This client uses client_secret_basic: type its client secret."),
        ({"scope": "profile"}, "The debugger signs in with OpenID Connect: include openid."),
        ({"scope": ""}, "This field is required."),
        ({"max_age": "-1"}, "Give max_age as whole seconds, 0 or more."),
        ({"prompt": "maybe"}, "Not a valid choice."),
    ],
)
def test_bad_start_input_is_shown_next_to_the_field(live_server, session, fields, message):
    response = start(session, live_server.url, **fields)
    assert response.status_code == 400
    assert message in response.text
    assert "/_qa/debugger/runs/" not in response.url


def test_debugger_routes_refuse_bad_input(live_server, session):
    base = live_server.url
    assert session.get(f"{base}/_qa/debugger/runs/nope").status_code == 404
    bad_state = session.get(f"{base}/_qa/debugger/callback", params={"state": "x", "code": "y"})
    assert bad_state.status_code == 400
    assert "matches no login" in bad_state.json()["detail"]
    assert session.get(f"{base}/_qa/debugger/signed-out").status_code == 400
    page = sign_in(session, base, start(session, base))
    no_csrf = session.post(page.url + "/refresh", data={})
    assert no_csrf.status_code == 400


def _registration(live_server, client_id=COP) -> dict:
    from idp.store import db
    from idp.store.models import OAuth2Client

    with live_server.app.app_context():
        client = db.session.execute(db.select(OAuth2Client).filter_by(client_id=client_id))
        metadata = dict(client.scalar_one().client_metadata)
        db.session.remove()
    return metadata


def _stored_runs(live_server) -> list[dict]:
    from idp.store import db
    from idp.store.models import DebuggerRun

    with live_server.app.app_context():
        runs = [dict(r.data) for r in db.session.execute(db.select(DebuggerRun)).scalars()]
        db.session.remove()
    return runs


def test_a_wrong_secret_is_refused_before_anything_changes(live_server, session):
    before = _registration(live_server)
    response = start(session, live_server.url, client_secret="not-the-secret")
    assert response.status_code == 400
    assert f"That is not the client secret of {COP}: type it again." in response.text
    assert _registration(live_server) == before
    assert _stored_runs(live_server) == []


def test_the_client_registration_is_never_widened(live_server, session):
    base = live_server.url
    before = _registration(live_server)
    page = sign_in(session, base, start(session, base))
    assert checks_of(page.text)["signature"] == "passed"
    after = _registration(live_server)
    assert after == before
    assert f"{base}/_qa/debugger/callback" not in after["redirect_uris"]
    # The run's allowance ended with its answer: the callback is not a redirect URI now.
    again = session.get(
        f"{base}/authorize",
        params={
            "response_type": "code",
            "client_id": COP,
            "redirect_uri": f"{base}/_qa/debugger/callback",
            "scope": "openid",
        },
        allow_redirects=False,
    )
    assert again.status_code == 400 and "Location" not in again.headers


def test_the_client_secret_is_not_stored_in_the_database(live_server, session):
    page = sign_in(session, live_server.url, start(session, live_server.url))
    assert checks_of(page.text)["signature"] == "passed"
    runs = _stored_runs(live_server)
    assert len(runs) == 1 and "claims-online-demo-secret" not in repr(runs)


def test_another_browser_cannot_use_a_run_without_its_secret(live_server, session):
    page = sign_in(session, live_server.url, start(session, live_server.url))
    with requests.Session() as other:
        view = other.get(page.url)
        refreshed = other.post(page.url + "/refresh", data={"csrf_token": csrf_token(view.text)})
    assert "This browser does not hold the client secret of this run" in refreshed.text
