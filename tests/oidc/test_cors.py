"""CORS for single-page portals (SPEC §4.1): public metadata for any origin, the
client endpoints for registered origins only, nothing on /authorize, pages or /_qa."""

from __future__ import annotations

import pytest

from .portal import add_client

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


def test_error_answers_carry_cors_so_the_page_can_read_them(client):
    response = client.get("/userinfo", headers={"Origin": PORTAL_ORIGIN})
    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == PORTAL_ORIGIN
    assert response.headers["Access-Control-Expose-Headers"] == "WWW-Authenticate"


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
