"""JWT access tokens (RFC 9068) by default, opaque ones on request, the RFC 8707
``resource`` parameter, and introspection by resource servers (RFC 7662)."""

from __future__ import annotations

import time

import jwt as pyjwt
import pytest

from idp.store.models import AuditEvent
from tests.oidc.portal import CLAIMS_ONLINE, add_client, basic_auth, exchange, get_code

ISSUER = "http://localhost:8765"
API = ("claims-api", "claims-api-secret")


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def verify(client, token: str, audience=CLAIMS_ONLINE[0], **options) -> dict:
    """What a portal API does with PyJWT: keys from the JWKS, RS256, iss and aud checked."""
    jwks = pyjwt.PyJWKSet.from_dict(client.get("/.well-known/jwks.json").json)
    kid = pyjwt.get_unverified_header(token)["kid"]
    key = next(k for k in jwks.keys if k.key_id == kid)
    return pyjwt.decode(
        token, key, algorithms=["RS256"], audience=audience, issuer=ISSUER, **options
    )


def code_flow_tokens(client, sign_in, **params) -> dict:
    query = get_code(client, sign_in, **params)
    response = exchange(client, query["code"])
    assert response.status_code == 200, response.json
    return response.json


def qa_tokens(client, **body) -> dict:
    body.setdefault("client_id", CLAIMS_ONLINE[0])
    body.setdefault("username", "dana.provider")
    response = client.post("/_qa/tokens", json=body)
    assert response.status_code == 200, response.json
    return response.json


@pytest.fixture
def api_client(app):
    return add_client(
        client_id=API[0],
        client_secret=API[1],
        redirect_uris=["http://localhost:5050/cb"],
        grant_types=["client_credentials"],
        introspect_any=True,
    )


def introspect(client, token: str, credentials=API):
    return client.post("/introspect", data={"token": token}, headers=basic_auth(*credentials))


def test_code_flow_access_token_is_an_rfc9068_jwt_pyjwt_verifies(client, sign_in, user):
    claims_set = client.patch("/_qa/users/dana.provider", json={"claims": {"npi": "1234567893"}})
    assert claims_set.status_code == 200, claims_set.json
    body = code_flow_tokens(client, sign_in, scope="openid profile portal")
    token = body["access_token"]
    assert pyjwt.get_unverified_header(token)["typ"] == "at+jwt"
    claims = verify(client, token)
    assert claims["sub"] == user.sub and claims["client_id"] == CLAIMS_ONLINE[0]
    assert claims["aud"] == CLAIMS_ONLINE[0]
    assert claims["scope"] == "openid profile portal email"
    assert claims["exp"] - claims["iat"] == body["expires_in"]
    assert claims["acr"] == "urn:ohid:loa:1" and claims["amr"] == ["pwd"]
    assert isinstance(claims["auth_time"], int) and claims["jti"]
    # The portal claims the "portal" scope releases to this client.
    assert claims["npi"] == "1234567893"


def test_jwt_access_token_is_refused_by_pyjwt_after_its_exp(client, user):
    token = qa_tokens(client, expires_in=1)["access_token"]
    assert verify(client, token)["sub"] == user.sub
    time.sleep(2.1)
    with pytest.raises(pyjwt.ExpiredSignatureError):
        verify(client, token)


def test_refreshed_access_token_is_a_jwt_of_the_same_sign_in(client, sign_in, user):
    first = code_flow_tokens(client, sign_in)
    response = client.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        headers=basic_auth(*CLAIMS_ONLINE[:2]),
    )
    claims, before = (
        verify(client, response.json["access_token"]),
        verify(client, first["access_token"]),
    )
    assert claims["auth_time"] == before["auth_time"] and claims["jti"] != before["jti"]


def test_access_token_audience_setting_names_the_api(client, sign_in, user):
    add_client(
        client_id="aud-portal",
        client_secret="aud-secret",
        redirect_uris=["http://localhost:5051/cb"],
        access_token_audience="https://claims-api.example",
        trusted=True,
    )
    token = qa_tokens(client, client_id="aud-portal")["access_token"]
    assert verify(client, token, audience="https://claims-api.example")["client_id"] == "aud-portal"
    with pytest.raises(pyjwt.InvalidAudienceError):
        verify(client, token, audience="aud-portal")


def test_resource_parameter_sets_the_audience(client, sign_in, user):
    query = get_code(client, sign_in)
    response = client.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": CLAIMS_ONLINE[2],
            "resource": ["https://a.example/api", "https://b.example/api"],
        },
        headers=basic_auth(*CLAIMS_ONLINE[:2]),
    )
    claims = verify(client, response.json["access_token"], audience="https://b.example/api")
    assert claims["aud"] == ["https://a.example/api", "https://b.example/api"]


def test_a_resource_that_is_not_an_absolute_uri_is_invalid_target(client, sign_in, user):
    query = get_code(client, sign_in)
    data = {
        "grant_type": "authorization_code",
        "code": query["code"],
        "redirect_uri": CLAIMS_ONLINE[2],
    }
    response = client.post(
        "/token", data={**data, "resource": "api#frag"}, headers=basic_auth(*CLAIMS_ONLINE[:2])
    )
    assert response.status_code == 400 and response.json["error"] == "invalid_target"
    assert "absolute URI" in response.json["error_description"]
    # The code was not used up by the refused request.
    again = client.post("/token", data=data, headers=basic_auth(*CLAIMS_ONLINE[:2]))
    assert again.status_code == 200


def test_typ_jwt_per_client_for_decoders_that_take_only_that(client, user):
    add_client(
        client_id="spring-portal",
        client_secret="spring-secret",
        redirect_uris=["http://localhost:5052/cb"],
        access_token_typ="JWT",
    )
    token = qa_tokens(client, client_id="spring-portal")["access_token"]
    assert pyjwt.get_unverified_header(token)["typ"] == "JWT"


def test_opaque_format_per_client_keeps_random_strings(client, user):
    add_client(
        client_id="opaque-portal",
        client_secret="opaque-secret",
        redirect_uris=["http://localhost:5053/cb"],
        access_token_format="opaque",
    )
    body = qa_tokens(client, client_id="opaque-portal")
    assert len(body["access_token"]) == 43 and "." not in body["access_token"]
    assert client.get("/userinfo", headers=bearer(body["access_token"])).status_code == 200


@pytest.mark.parametrize("app_overrides", [{"tokens.access_token_format": "opaque"}])
def test_opaque_format_server_wide(client, sign_in, user):
    token = code_flow_tokens(client, sign_in)["access_token"]
    assert len(token) == 43 and "." not in token


def test_userinfo_takes_a_jwt_with_thirty_tax_ids(client, user):
    tax_ids = [f"{n:09d}" for n in range(100000001, 100000031)]
    changed = client.patch("/_qa/users/dana.provider", json={"claims": {"tax_ids": tax_ids}})
    assert changed.status_code == 200, changed.json
    token = qa_tokens(client, scope="openid portal")["access_token"]
    assert len(token) > 512 and verify(client, token)["tax_ids"] == tax_ids
    info = client.get("/userinfo", headers=bearer(token))
    assert info.status_code == 200 and info.json["tax_ids"] == tax_ids


def test_a_revoked_jwt_is_inactive_and_refused_at_userinfo(client, user):
    token = qa_tokens(client)["access_token"]
    assert introspect(client, token, CLAIMS_ONLINE[:2]).json["active"] is True
    revoked = client.post("/revoke", data={"token": token}, headers=basic_auth(*CLAIMS_ONLINE[:2]))
    assert revoked.status_code == 200
    assert introspect(client, token, CLAIMS_ONLINE[:2]).json == {"active": False}
    assert client.get("/userinfo", headers=bearer(token)).status_code == 401
    event = AuditEvent.query.filter_by(kind="token_introspected_inactive").one()
    assert event.detail["reason"] == "the token is revoked"


def test_client_credentials_jwt_names_the_client_as_sub(client, api_client):
    response = client.post(
        "/token", data={"grant_type": "client_credentials"}, headers=basic_auth(*API)
    )
    claims = verify(client, response.json["access_token"], audience=API[0])
    assert claims["sub"] == API[0] and "auth_time" not in claims


def test_resource_server_with_introspect_any_sees_a_portals_token(client, user, api_client):
    token = qa_tokens(client)["access_token"]
    seen = introspect(client, token).json
    assert seen["active"] is True and seen["client_id"] == CLAIMS_ONLINE[0]
    assert seen["sub"] == user.sub and seen["aud"] == CLAIMS_ONLINE[0] and seen["jti"]


def test_a_portal_names_its_resource_servers(client, user):
    add_client(
        client_id="listed-api",
        client_secret="listed-secret",
        redirect_uris=["http://localhost:5054/cb"],
    )
    add_client(
        client_id="serving-portal",
        client_secret="serving-secret",
        redirect_uris=["http://localhost:5055/cb"],
        resource_servers=["listed-api"],
    )
    token = qa_tokens(client, client_id="serving-portal")["access_token"]
    assert introspect(client, token, ("listed-api", "listed-secret")).json["active"] is True
    # Not the other portals' tokens.
    other = qa_tokens(client)["access_token"]
    assert introspect(client, other, ("listed-api", "listed-secret")).json == {"active": False}


def test_a_refused_introspection_says_why_in_the_audit_events(client, user, app):
    add_client(
        client_id="plain-api",
        client_secret="plain-secret",
        redirect_uris=["http://localhost:5056/cb"],
    )
    token = qa_tokens(client)["access_token"]
    assert introspect(client, token, ("plain-api", "plain-secret")).json == {"active": False}
    event = AuditEvent.query.filter_by(kind="token_introspected_inactive").one()
    assert event.detail["client_id"] == "plain-api"
    assert event.detail["token_client_id"] == CLAIMS_ONLINE[0]
    assert "introspect_any" in event.detail["reason"]


def test_dynamic_registration_cannot_make_a_resource_server(client, user):
    registered = client.post(
        "/register",
        json={"redirect_uris": ["http://localhost:5057/cb"], "introspect_any": True},
    ).json
    assert "introspect_any" not in registered
    token = qa_tokens(client)["access_token"]
    seen = introspect(client, token, (registered["client_id"], registered["client_secret"]))
    assert seen.json == {"active": False}
