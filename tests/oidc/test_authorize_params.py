"""Authorization request parameters beyond the basics: id_token_hint, max_age=0,
acr, the claims parameter, and OpenID Connect's required redirect_uri."""

from __future__ import annotations

import json

import pytest

from tests.helpers import SignIn, authorize_url, query_of
from tests.oidc.portal import decode_id_token, exchange, get_code

ISSUER = "http://localhost:8765"


def id_token_for(client, sign_in, **params):
    return exchange(client, get_code(client, sign_in, **params)["code"]).json["id_token"]


def test_id_token_hint_for_another_user_with_prompt_none_is_login_required(
    app, client, sign_in, user, user_factory
):
    user_factory(username="other.provider", email="other@example.com")
    other_browser = app.test_client()
    other_token = id_token_for(other_browser, SignIn(other_browser), username="other.provider")
    sign_in("dana.provider")
    response = client.get(authorize_url(prompt="none", id_token_hint=other_token, state="h"))
    query = query_of(response.headers["Location"])
    assert query["error"] == "login_required" and query["state"] == "h"
    assert query["iss"] == ISSUER


def test_id_token_hint_for_another_user_asks_to_sign_in_again(
    app, client, sign_in, user, user_factory
):
    other = user_factory(username="other.provider", email="other@example.com")
    other_browser = app.test_client()
    other_token = id_token_for(other_browser, SignIn(other_browser), username="other.provider")
    sign_in("dana.provider")
    response = client.get(authorize_url(id_token_hint=other_token))
    assert "/signin?interaction=" in response.headers["Location"]
    # The sign-in page prefills the One Healthcare ID the hint names.
    assert 'value="other.provider"' in client.get("/signin").get_data(as_text=True)
    response = sign_in("other.provider")
    code = query_of(response.headers["Location"])["code"]
    claims = decode_id_token(client, exchange(client, code).json["id_token"])["claims"]
    assert claims["sub"] == other.sub


def test_expired_id_token_hint_of_the_signed_in_user_is_accepted(client, sign_in, user, clock):
    hint = id_token_for(client, sign_in)
    clock.advance(hours=2)
    sign_in("dana.provider")
    response = client.get(authorize_url(prompt="none", id_token_hint=hint))
    assert "code=" in response.headers["Location"]


def test_id_token_hint_not_issued_here_is_invalid_request(client, sign_in, user):
    sign_in("dana.provider")
    response = client.get(authorize_url(id_token_hint="eyJhbGciOiJub25lIn0.e30.", state="z"))
    query = query_of(response.headers["Location"])
    assert query["error"] == "invalid_request" and "id_token_hint" in query["error_description"]
    assert query["state"] == "z"


def test_max_age_zero_always_asks_to_sign_in(client, sign_in, user):
    sign_in("dana.provider")
    response = client.get(authorize_url(max_age="0"))
    assert "/signin?interaction=" in response.headers["Location"]


def test_password_sign_in_has_acr_level_one(client, sign_in, user):
    claims = decode_id_token(client, id_token_for(client, sign_in, acr_values="urn:ohid:loa:1"))
    assert claims["claims"]["acr"] == "urn:ohid:loa:1"


def test_claims_parameter_adds_claims_to_the_id_token(client, sign_in, user):
    request = json.dumps({"id_token": {"email": {"essential": True}, "unknown_claim": None}})
    token = id_token_for(client, sign_in, scope="openid", claims=request)
    claims = decode_id_token(client, token)["claims"]
    assert claims["email"] == "dana@example.com"
    assert "unknown_claim" not in claims and "phone_number" not in claims


@pytest.mark.parametrize("app_overrides", [{"clients.default_scopes": ""}])
def test_claims_parameter_that_is_not_json_is_ignored(client, sign_in, user):
    token = id_token_for(client, sign_in, scope="openid", claims="{not json")
    assert "email" not in decode_id_token(client, token)["claims"]


def test_openid_request_without_redirect_uri_is_an_error_page(client, user, sign_in):
    sign_in("dana.provider")
    response = client.get(
        "/authorize?response_type=code&client_id=optum-connect-physician-info&scope=openid"
    )
    assert response.status_code == 400 and "Location" not in response.headers
    assert "Missing &#39;redirect_uri&#39;" in response.get_data(as_text=True)


def test_plain_oauth_request_may_imply_the_single_redirect_uri(client, sign_in, user):
    sign_in("dana.provider")
    response = client.get(
        "/authorize?response_type=code&client_id=optum-connect-physician-info&scope=profile"
    )
    assert response.headers["Location"].startswith("http://localhost:5002/callback?code=")


def test_prompt_none_with_another_value_is_invalid_request(client, sign_in, user):
    sign_in("dana.provider")
    response = client.get(authorize_url(prompt="none login"))
    assert query_of(response.headers["Location"])["error"] == "invalid_request"
