"""Hypothesis fuzz of the protocol endpoints against the registered clients.

Random client ids stop every request at "unknown client", before the checks
that echo values; here requests name real clients with their real redirect
URIs, and each parameter is either valid, the valid value with hostile text
added, or hostile text. Never a 5xx, and any error sent back to a portal
carries an error_description inside RFC 6749 §4.1.2.1's charset. Seeded
(derandomized) and bounded, so a run is repeatable and short.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from authlib.oauth2.base import invalid_error_characters
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from idp.store import db
from idp.store.models import OAuth2Client
from tests.conftest import make_test_app
from tests.helpers import SignIn, pkce_pair
from tests.robustness.fuzz_values import deep_json_text, hostile_text, odd_variant_of

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES_PROTOCOL", "60"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
_, CHALLENGE = pkce_pair()


@pytest.fixture(scope="module")
def protocol_app(tmp_path_factory):
    return make_test_app(tmp_path_factory.mktemp("fuzz-protocol"), **{"users.seed": True})


@pytest.fixture(scope="module")
def registered(protocol_app):
    """(client_id, redirect URIs, post-logout URIs) of every client in clients.toml."""
    with protocol_app.app_context():
        rows = db.session.query(OAuth2Client).all()
        found = [
            (
                row.client_id,
                list(row.client_metadata.get("redirect_uris", [])),
                list(row.client_metadata.get("post_logout_redirect_uris", [])),
            )
            for row in rows
        ]
    assert found, "no registered clients to fuzz against"
    return sorted(found)


@pytest.fixture(scope="module")
def signed_in_cookie(protocol_app):
    browser = protocol_app.test_client()
    SignIn(browser)("demo.provider")
    return browser.get_cookie("ohid_session").value


def _check_portal_error(response) -> None:
    """An error redirected to a portal names no caller text outside RFC 6749's charset."""
    location = response.headers.get("Location", "")
    if response.status_code in (302, 303) and "error=" in location:
        query = parse_qs(urlsplit(location).query)
        for description in query.get("error_description", []):
            assert not invalid_error_characters(description), description


def _authorize_params(draw, registered):
    client_id, redirect_uris, _ = draw(st.sampled_from(registered), label="client")
    valid = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": draw(st.sampled_from(redirect_uris), label="redirect"),
        "scope": "openid profile email",
        "state": "s-1",
        "nonce": "n-1",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        "response_mode": draw(st.sampled_from(["query", "form_post"]), label="mode"),
        "prompt": draw(st.sampled_from(["none", "login", "consent", "create"]), label="prompt"),
        "max_age": "300",
        "login_hint": "demo.provider",
        "acr_values": "urn:ohid:loa:1",
        "claims": '{"id_token":{"email":null}}',
        "ui_locales": "en-US",
    }
    return _mutate(draw, valid)


def _mutate(draw, valid: dict[str, str]) -> dict[str, str]:
    """``valid`` with one to three parameters made hostile or left out, the rest kept:
    each hostile value then meets the checks that come after the valid ones."""
    targets = draw(st.lists(st.sampled_from(sorted(valid)), min_size=1, max_size=3, unique=True))
    params = {}
    for name, value in valid.items():
        if name not in targets:
            params[name] = value
        elif draw(st.integers(0, 4), label=f"drop {name}"):
            params[name] = draw(odd_variant_of(value), label=name)
    return params


@FUZZ_SETTINGS
@given(data=st.data())
def test_authorization_requests_for_registered_clients_never_get_a_5xx(
    protocol_app, registered, signed_in_cookie, data
):
    params = _authorize_params(data.draw, registered)
    if data.draw(st.integers(0, 9), label="deep claims") == 0:
        params["claims"] = data.draw(deep_json_text, label="claims")
    client = protocol_app.test_client()
    if data.draw(st.booleans(), label="signed in"):
        client.set_cookie("ohid_session", signed_in_cookie)
    if data.draw(st.booleans(), label="by POST"):
        response = client.post("/authorize", data=params)
    else:
        response = client.get("/authorize?" + urlencode(params))
    assert response.status_code < 500, (params, response.data[:300])
    _check_portal_error(response)


@FUZZ_SETTINGS
@given(data=st.data())
def test_logout_requests_for_registered_clients_never_get_a_5xx(
    protocol_app, registered, signed_in_cookie, data
):
    client_id, _, logout_uris = data.draw(st.sampled_from(registered), label="client")
    valid = {
        "client_id": client_id,
        "post_logout_redirect_uri": logout_uris[0] if logout_uris else "http://localhost/",
        "state": "bye",
        "id_token_hint": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
        "logout_hint": "demo.provider",
        "ui_locales": "en",
    }
    params = _mutate(data.draw, valid)
    client = protocol_app.test_client()
    client.set_cookie("ohid_session", signed_in_cookie)
    response = client.get("/end_session?" + urlencode(params))
    assert response.status_code < 500, (params, response.data[:300])


URI_FIELDS = [
    "backchannel_logout_uri",
    "jwks_uri",
    "client_uri",
    "logo_uri",
    "tos_uri",
    "policy_uri",
    "initiate_login_uri",
    "sector_identifier_uri",
]
STRING_FIELDS = [
    "client_name",
    "software_id",
    "software_version",
    "scope",
    "token_endpoint_auth_method",
    "id_token_signed_response_alg",
    "application_type",
    "subject_type",
    "userinfo_signed_response_alg",
]
LIST_FIELDS = ["redirect_uris", "post_logout_redirect_uris", "contacts", "allowed_origins"]


@FUZZ_SETTINGS
@given(data=st.data())
def test_client_registrations_never_get_a_5xx(protocol_app, registered, data):
    _, redirect_uris, _ = data.draw(st.sampled_from(registered), label="like client")
    body: dict = {"redirect_uris": list(redirect_uris)}
    for name in data.draw(st.lists(st.sampled_from(URI_FIELDS), max_size=3), label="uris"):
        body[name] = data.draw(odd_variant_of("http://localhost:9000/x"), label=name)
    for name in data.draw(st.lists(st.sampled_from(STRING_FIELDS), max_size=3), label="str"):
        body[name] = data.draw(odd_variant_of("client_secret_basic"), label=name)
    for name in data.draw(st.lists(st.sampled_from(LIST_FIELDS), max_size=2), label="lists"):
        body[name] = data.draw(
            st.lists(odd_variant_of(redirect_uris[0]), min_size=1, max_size=25), label=name
        )
    client = protocol_app.test_client()
    if data.draw(st.booleans(), label="deep body"):
        response = client.post(
            "/register", data=data.draw(deep_json_text), content_type="application/json"
        )
    else:
        response = client.post("/register", json=body)
    assert response.status_code < 500, (body, response.data[:300])
    if response.status_code >= 400:
        assert not invalid_error_characters(response.json.get("error_description") or "")


@FUZZ_SETTINGS
@given(data=st.data())
def test_token_requests_for_registered_clients_never_get_a_5xx(protocol_app, registered, data):
    client_id, redirect_uris, _ = data.draw(st.sampled_from(registered), label="client")
    valid = {
        "grant_type": data.draw(
            st.sampled_from(["authorization_code", "refresh_token", "client_credentials"]),
            label="grant",
        ),
        "client_id": client_id,
        "code": "c" * 43,
        "redirect_uri": redirect_uris[0],
        "code_verifier": "v" * 43,
        "refresh_token": "r" * 43,
        "scope": "openid",
        "client_secret": "s" * 20,
    }
    form = _mutate(data.draw, valid)
    if data.draw(st.booleans(), label="hostile extra"):
        form[data.draw(hostile_text, label="name")] = data.draw(hostile_text, label="value")
    response = protocol_app.test_client().post("/token", data=form)
    assert response.status_code < 500, (form, response.data[:300])
