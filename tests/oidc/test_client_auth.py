"""Client authentication as real clients send it (RFC 6749 §2.3.1) and errors that
say which method a client is registered for (SPEC §4.1); /userinfo without a token."""

from __future__ import annotations

import base64
from urllib.parse import quote_plus

import pytest

from .portal import add_client, exchange, get_code

SPACED = ("spaced-portal", "a secret with spaces+plus", "http://localhost:5040/cb")


def _basic(client_id: str, secret: str) -> dict:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


@pytest.fixture
def spaced_client(app):
    return add_client(
        client_id=SPACED[0], client_secret=SPACED[1], redirect_uris=[SPACED[2]], trusted=True
    )


def _code(client, sign_in):
    return get_code(client, sign_in, client_id=SPACED[0], redirect_uri=SPACED[2])["code"]


def _token(client, code, headers):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": SPACED[2]}
    return client.post("/token", data=data, headers=headers)


def test_form_urlencoded_basic_credentials_are_decoded(client, sign_in, user, spaced_client):
    # What RFC 6749 §2.3.1 clients send: the secret form-urlencoded, so spaces are "+".
    headers = _basic(quote_plus(SPACED[0]), quote_plus(SPACED[1]))
    assert quote_plus(SPACED[1]) == "a+secret+with+spaces%2Bplus"
    response = _token(client, _code(client, sign_in), headers)
    assert response.status_code == 200, response.json


def test_basic_credentials_sent_without_encoding_still_work(client, sign_in, user, spaced_client):
    response = _token(client, _code(client, sign_in), _basic(*SPACED[:2]))
    assert response.status_code == 200, response.json


def test_wrong_secret_names_the_registered_method(client, sign_in, user, spaced_client):
    response = _token(client, _code(client, sign_in), _basic(SPACED[0], "wrong"))
    assert response.status_code == 401
    assert response.json["error"] == "invalid_client"
    assert response.json["error_description"] == (
        "Client authentication failed: 'spaced-portal' is registered for client_secret_basic."
    )


def test_secret_in_the_body_for_a_basic_client_names_basic(client, sign_in, user, spaced_client):
    response = client.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": _code(client, sign_in),
            "redirect_uri": SPACED[2],
            "client_id": SPACED[0],
            "client_secret": SPACED[1],
        },
    )
    assert response.json["error"] == "invalid_client"
    assert "registered for client_secret_basic" in response.json["error_description"]


def test_public_client_at_introspection_is_told_its_method_is_not_taken(client, app):
    add_client(client_id="spa-only", token_endpoint_auth_method="none", redirect_uris=[SPACED[2]])
    response = client.post("/introspect", data={"token": "x", "client_id": "spa-only"})
    assert response.json["error"] == "invalid_client"
    assert response.json["error_description"] == (
        "Client 'spa-only' is registered for none, which this endpoint does not take "
        "(client_secret_basic, client_secret_post, private_key_jwt)."
    )


def test_unknown_client_keeps_the_plain_message(client, sign_in, user):
    code = get_code(client, sign_in)["code"]
    response = exchange(client, code, client_id="nobody", secret="x")
    assert response.status_code == 401
    assert response.json["error_description"] == "The client does not exist on this server."


def test_userinfo_without_a_token_gets_a_bare_bearer_challenge(client):
    response = client.get("/userinfo")
    assert response.status_code == 401
    # RFC 6750 §3.1: no error code when the request carried no token at all.
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_userinfo_with_a_bad_token_names_invalid_token_in_the_challenge(client):
    response = client.get("/userinfo", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
