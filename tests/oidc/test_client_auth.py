"""Client authentication as real clients send it (RFC 6749 §2.3.1) and errors that
say which method a client is registered for (SPEC §4.1); /userinfo without a token."""

from __future__ import annotations

import base64
from urllib.parse import quote_plus

import pytest

from tests.oidc.portal import add_client, exchange, get_code

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


def _body_token(client, code, client_id=SPACED[0], secret=SPACED[1]):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": SPACED[2],
        "client_id": client_id,
    }
    if secret is not None:
        data["client_secret"] = secret
    return client.post("/token", data=data)


def test_wrong_secret_by_basic_says_the_secret_is_wrong(client, sign_in, user, spaced_client):
    response = _token(client, _code(client, sign_in), _basic(SPACED[0], "wrong"))
    assert response.status_code == 401
    assert response.json["error"] == "invalid_client"
    assert response.json["error_description"] == "The client secret is wrong for this client_id."
    # RFC 6749 §5.2: the client used the Authorization header, so it gets a Basic challenge.
    assert response.headers["WWW-Authenticate"].startswith("Basic realm=")


def test_wrong_secret_in_the_body_is_400_without_a_challenge(client, sign_in, user, spaced_client):
    response = _body_token(client, _code(client, sign_in), secret="wrong")
    assert response.status_code == 400
    assert response.json["error_description"] == "The client secret is wrong for this client_id."
    assert "WWW-Authenticate" not in response.headers


def test_secret_in_the_body_works_for_a_client_registered_for_basic(
    client, sign_in, user, spaced_client
):
    response = _body_token(client, _code(client, sign_in))
    assert response.status_code == 200, response.json
    assert response.json["access_token"]


def test_basic_works_for_a_client_registered_for_the_body(client, sign_in, user, app):
    add_client(
        client_id="post-portal",
        client_secret="post-secret",
        redirect_uris=[SPACED[2]],
        token_endpoint_auth_method="client_secret_post",
        trusted=True,
    )
    code = get_code(client, sign_in, client_id="post-portal", redirect_uri=SPACED[2])["code"]
    response = _token(client, code, _basic("post-portal", "post-secret"))
    assert response.status_code == 200, response.json


def test_strict_basic_client_refuses_the_secret_in_the_body(client, sign_in, user, app):
    add_client(
        client_id="strict-portal",
        client_secret="strict-secret",
        redirect_uris=[SPACED[2]],
        strict_auth_method=True,
        trusted=True,
    )
    code = get_code(client, sign_in, client_id="strict-portal", redirect_uri=SPACED[2])["code"]
    response = _body_token(client, code, client_id="strict-portal", secret="strict-secret")
    assert response.status_code == 400
    assert response.json["error_description"] == (
        "This client is registered for client_secret_basic only (strict): send the secret in "
        "the Authorization header (HTTP Basic), not the secret as client_secret in the form body."
    )
    assert "WWW-Authenticate" not in response.headers
    # Its own method still works with the same (unused) code.
    response = _token(client, code, _basic("strict-portal", "strict-secret"))
    assert response.status_code == 200, response.json


def test_strict_post_client_refuses_basic(client, sign_in, user, app):
    add_client(
        client_id="strict-post",
        client_secret="strict-secret",
        redirect_uris=[SPACED[2]],
        token_endpoint_auth_method="client_secret_post",
        strict_auth_method=True,
        trusted=True,
    )
    code = get_code(client, sign_in, client_id="strict-post", redirect_uri=SPACED[2])["code"]
    response = _token(client, code, _basic("strict-post", "strict-secret"))
    assert response.status_code == 401
    assert response.json["error_description"].startswith(
        "This client is registered for client_secret_post only (strict)"
    )
    assert response.headers["WWW-Authenticate"].startswith("Basic ")


@pytest.mark.parametrize("app_overrides", [{"clients.strict_auth_method": True}])
def test_server_wide_strict_setting_makes_every_client_strict(client, sign_in, user, spaced_client):
    response = _body_token(client, _code(client, sign_in))
    assert response.status_code == 400
    assert "(strict)" in response.json["error_description"]


def test_secret_client_sending_no_secret_is_told_how_to_send_it(
    client, sign_in, user, spaced_client
):
    response = _body_token(client, _code(client, sign_in), secret=None)
    assert response.status_code == 400
    assert response.json["error_description"] == (
        "This client has a secret: send the secret in the Authorization header (HTTP Basic) "
        "or the secret as client_secret in the form body."
    )


def test_no_credentials_at_all_says_so(client):
    response = client.post("/token", data={"grant_type": "authorization_code", "code": "x"})
    assert response.status_code == 400
    assert response.json["error"] == "invalid_client"
    assert response.json["error_description"].startswith("No client authentication was sent")


def test_public_client_at_introspection_is_told_its_method_is_not_taken(client, app):
    add_client(client_id="spa-only", token_endpoint_auth_method="none", redirect_uris=[SPACED[2]])
    response = client.post("/introspect", data={"token": "x", "client_id": "spa-only"})
    assert response.json["error"] == "invalid_client"
    assert response.json["error_description"] == (
        "This client is registered for none, which this endpoint does not take "
        "(client_secret_basic, client_secret_post, private_key_jwt)."
    )


def test_public_client_sending_a_secret_is_told_it_is_public(client, app):
    add_client(client_id="spa-only", token_endpoint_auth_method="none", redirect_uris=[SPACED[2]])
    response = client.post(
        "/revoke", data={"token": "x", "client_id": "spa-only", "client_secret": "s"}
    )
    assert response.json["error_description"] == (
        "This client is registered for none: send its client_id alone (a public client, "
        "with PKCE), not the secret as client_secret in the form body."
    )


def test_unknown_client_says_it_is_not_registered(client, sign_in, user):
    code = get_code(client, sign_in)["code"]
    response = exchange(client, code, client_id="nobody", secret="x")
    assert response.status_code == 401
    assert response.json["error_description"] == (
        "No client with this client_id is registered with this server."
    )
    # The description carries no text of the request.
    assert "nobody" not in response.get_data(as_text=True)


def test_a_basic_header_that_is_not_basic_credentials_says_so(client):
    response = client.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        headers={"Authorization": "Basic not-base64!"},
    )
    assert response.status_code == 401
    assert response.json["error_description"].startswith(
        "The Authorization header is not HTTP Basic credentials"
    )


def test_discovery_lists_both_secret_methods(client):
    methods = client.get("/.well-known/openid-configuration").json[
        "token_endpoint_auth_methods_supported"
    ]
    assert {"client_secret_basic", "client_secret_post"} <= set(methods)


def test_userinfo_without_a_token_gets_a_bare_bearer_challenge(client):
    response = client.get("/userinfo")
    assert response.status_code == 401
    # RFC 6750 §3.1: no error code when the request carried no token at all.
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_userinfo_with_a_bad_token_names_invalid_token_in_the_challenge(client):
    response = client.get("/userinfo", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
