"""Discovery lists exactly what mock-ohid supports, and each listed endpoint answers."""

from __future__ import annotations

ISSUER = "http://localhost:8765"


def test_discovery_lists_every_endpoint_and_each_answers(client):
    meta = client.get("/.well-known/openid-configuration").json
    expected = {
        "authorization_endpoint": "/authorize",
        "token_endpoint": "/token",
        "userinfo_endpoint": "/userinfo",
        "jwks_uri": "/.well-known/jwks.json",
        "revocation_endpoint": "/revoke",
        "introspection_endpoint": "/introspect",
        "end_session_endpoint": "/end_session",
        "registration_endpoint": "/register",
    }
    for name, path in expected.items():
        assert meta[name] == ISSUER + path, name
        assert client.options(path).status_code != 404, path


def test_discovery_lists_the_supported_protocol_features(client):
    meta = client.get("/.well-known/openid-configuration").json
    assert meta["grant_types_supported"] == [
        "authorization_code",
        "refresh_token",
        "client_credentials",
    ]
    assert meta["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
        "none",
        "private_key_jwt",
    ]
    assert meta["token_endpoint_auth_signing_alg_values_supported"] == ["RS256", "ES256"]
    assert "none" not in meta["introspection_endpoint_auth_methods_supported"]
    assert meta["response_types_supported"] == ["code"]
    assert meta["id_token_signing_alg_values_supported"] == ["RS256", "ES256"]
    assert meta["scopes_supported"] == [
        "openid",
        "profile",
        "email",
        "phone",
        "offline_access",
        "portal",
    ]
    assert meta["claims_parameter_supported"] is True
    assert meta["request_parameter_supported"] is False
    assert meta["request_uri_parameter_supported"] is False
    assert meta["backchannel_logout_supported"] is True
    assert meta["backchannel_logout_session_supported"] is True
    assert meta["frontchannel_logout_supported"] is False
    assert meta["acr_values_supported"] == ["urn:ohid:loa:1", "urn:ohid:loa:2"]
    assert meta["prompt_values_supported"] == ["none", "login", "consent", "create"]
    # Nothing is advertised that is not implemented.
    for absent in (
        "userinfo_signing_alg_values_supported",
        "id_token_encryption_alg_values_supported",
        "request_object_signing_alg_values_supported",
        "device_authorization_endpoint",
        "pushed_authorization_request_endpoint",
    ):
        assert absent not in meta
