"""CORS for single-page portals (SPEC §4.1): public metadata for any origin, the
client endpoints for registered origins only, nothing on /authorize, pages or /_qa."""

from __future__ import annotations

import pytest

from tests.oidc.portal import CLAIMS_ONLINE, add_client, basic_auth, exchange, get_code

PORTAL_ORIGIN = "http://localhost:5001"  # origin of a Claims Online redirect URI
FOREIGN_ORIGIN = "http://evil.localhost:6666"
CLIENT_ENDPOINTS = ["/token", "/userinfo", "/revoke", "/introspect"]


def _preflight(client, path, origin, method="POST"):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


@pytest.mark.parametrize("path", ["/.well-known/openid-configuration", "/.well-known/jwks.json"])
def test_public_metadata_answers_any_origin(client, path):
    response = client.get(path, headers={"Origin": FOREIGN_ORIGIN})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", CLIENT_ENDPOINTS)
def test_preflight_from_a_redirect_uri_origin_is_allowed(client, path):
    response = _preflight(client, path, PORTAL_ORIGIN)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == PORTAL_ORIGIN
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    assert "Origin" in response.headers.getlist("Vary")


@pytest.mark.parametrize("path", CLIENT_ENDPOINTS)
def test_preflight_from_a_foreign_origin_gets_no_cors_headers(client, path):
    response = _preflight(client, path, FOREIGN_ORIGIN)
    assert not [h for h, _ in response.headers if h.lower().startswith("access-control-")]


def test_a_client_may_allow_an_extra_origin(client):
    add_client(
        client_id="spa-extra",
        token_endpoint_auth_method="none",
        redirect_uris=["http://localhost:5050/cb"],
        allowed_origins=["http://127.0.0.1:5051"],
    )
    response = _preflight(client, "/token", "http://127.0.0.1:5051")
    assert response.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:5051"


def test_error_answers_carry_cors_so_the_page_can_read_them(client, sign_in, user, clock):
    wrong_secret = client.post(
        "/token",
        data={"grant_type": "client_credentials"},
        headers={**basic_auth(CLAIMS_ONLINE[0], "not-the-secret"), "Origin": PORTAL_ORIGIN},
    )
    assert wrong_secret.status_code == 401
    assert wrong_secret.headers["Access-Control-Allow-Origin"] == PORTAL_ORIGIN
    access_token = exchange(client, get_code(client, sign_in)["code"]).json["access_token"]
    clock.advance(hours=2)
    expired = client.get(
        "/userinfo", headers={"Authorization": f"Bearer {access_token}", "Origin": PORTAL_ORIGIN}
    )
    assert expired.status_code == 401
    assert expired.headers["Access-Control-Allow-Origin"] == PORTAL_ORIGIN
    assert expired.headers["Access-Control-Expose-Headers"] == "WWW-Authenticate"


def test_a_request_naming_no_client_gets_no_cors_headers(client):
    response = client.get("/userinfo", headers={"Origin": PORTAL_ORIGIN})
    assert response.status_code == 401
    assert "Access-Control-Allow-Origin" not in response.headers


def _register_with_origin(client, origin):
    body = {
        "redirect_uris": ["http://localhost:7070/cb"],
        "token_endpoint_auth_method": "none",
        "allowed_origins": [origin],
    }
    response = client.post("/register", json=body)
    assert response.status_code == 201
    return response.json["client_id"]


def test_an_origin_registered_by_one_client_opens_no_other_client(client, sign_in, user):
    own_client = _register_with_origin(client, FOREIGN_ORIGIN)
    # A preflight names no client: the union of registered origins answers it.
    preflight = _preflight(client, "/token", FOREIGN_ORIGIN)
    assert preflight.headers["Access-Control-Allow-Origin"] == FOREIGN_ORIGIN
    # The request itself names Claims Online, which never registered that origin.
    code = get_code(client, sign_in)["code"]
    stolen = client.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CLAIMS_ONLINE[2],
        },
        headers={**basic_auth(CLAIMS_ONLINE[0], CLAIMS_ONLINE[1]), "Origin": FOREIGN_ORIGIN},
    )
    assert stolen.status_code == 200
    assert "Access-Control-Allow-Origin" not in stolen.headers
    assert "Origin" in stolen.vary
    token = stolen.json["access_token"]
    info = client.get(
        "/userinfo", headers={"Authorization": f"Bearer {token}", "Origin": FOREIGN_ORIGIN}
    )
    assert info.status_code == 200 and "Access-Control-Allow-Origin" not in info.headers
    # Its own client's requests are answered for it.
    mine = client.post(
        "/token",
        data={"grant_type": "authorization_code", "code": "x", "client_id": own_client},
        headers={"Origin": FOREIGN_ORIGIN},
    )
    assert mine.status_code == 400
    assert mine.headers["Access-Control-Allow-Origin"] == FOREIGN_ORIGIN


@pytest.mark.parametrize("path", ["/authorize", "/signin", "/_qa/outbox", "/help"])
def test_never_on_authorize_pages_or_qa(client, path):
    response = client.get(path, headers={"Origin": PORTAL_ORIGIN})
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = _preflight(client, path, PORTAL_ORIGIN, method="GET")
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_clients_toml_refuses_an_origin_with_a_path():
    from idp.oidc.clients import ClientConfigError, validate_registration

    with pytest.raises(ClientConfigError, match="allowed_origins must be a list of origins"):
        validate_registration(
            {
                "client_id": "x",
                "token_endpoint_auth_method": "none",
                "redirect_uris": ["http://localhost:1/cb"],
                "allowed_origins": ["http://localhost:2/app"],
            }
        )
