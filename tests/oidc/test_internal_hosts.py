"""The browser/backend split (server.internal_hosts): discovery fetched by an internal host
name lists the back-channel endpoints on that name; the issuer and the browser's endpoints
stay on the issuer's URL."""

from __future__ import annotations

import pytest
from joserfc.jwk import RSAKey

from idp.settings import SettingsError, load_settings
from tests.oidc.portal import add_client
from tests.oidc.test_tokens import assertion, code_request, jwt_auth, pkjwt_code

ISSUER = "http://localhost:8765"
INTERNAL = "http://mock-ohid:8765"
BACK_CHANNEL = {
    "token_endpoint": "/token",
    "userinfo_endpoint": "/userinfo",
    "jwks_uri": "/.well-known/jwks.json",
    "revocation_endpoint": "/revoke",
    "introspection_endpoint": "/introspect",
    "registration_endpoint": "/register",
}
BROWSER = {"authorization_endpoint": "/authorize", "end_session_endpoint": "/end_session"}


@pytest.fixture
def rp_key():
    return RSAKey.generate_key(2048, parameters={"kid": "rp-key-1"}, private=True)


@pytest.fixture
def jwt_client(app, rp_key):
    return add_client(
        client_id="pkjwt-portal",
        redirect_uris=["http://localhost:5011/cb"],
        token_endpoint_auth_method="private_key_jwt",
        jwks={"keys": [rp_key.as_dict(private=False)]},
        trusted=True,
    )


def discovery(client, host: str):
    return client.get("/.well-known/openid-configuration", headers={"Host": host})


def test_without_internal_hosts_every_host_gets_the_issuers_endpoints(client):
    response = discovery(client, "mock-ohid:8765")
    assert "Host" not in response.headers.get("Vary", "")
    for name, path in {**BACK_CHANNEL, **BROWSER}.items():
        assert response.json[name] == ISSUER + path, name


class TestWithInternalHosts:
    @pytest.fixture
    def app_overrides(self):
        return {"server.internal_hosts": ["mock-ohid", "idp.internal"]}

    def test_internal_host_gets_back_channel_endpoints_on_its_name(self, client):
        response = discovery(client, "mock-ohid:8765")
        meta = response.json
        assert meta["issuer"] == ISSUER
        for name, path in BACK_CHANNEL.items():
            assert meta[name] == INTERNAL + path, name
        for name, path in BROWSER.items():
            assert meta[name] == ISSUER + path, name
        assert "Host" in response.headers["Vary"]

    def test_browser_host_keeps_the_public_endpoints(self, client):
        response = discovery(client, "localhost:8765")
        for name, path in {**BACK_CHANNEL, **BROWSER}.items():
            assert response.json[name] == ISSUER + path, name
        # A cache in front must not hand the browser's document to a backend, or back.
        assert "Host" in response.headers["Vary"]

    def test_each_host_gets_its_own_document_in_turn(self, client):
        assert discovery(client, "idp.internal")
        assert (
            discovery(client, "idp.internal").json["token_endpoint"] == "http://idp.internal/token"
        )
        assert discovery(client, "localhost:8765").json["token_endpoint"] == f"{ISSUER}/token"
        assert discovery(client, "MOCK-OHID:9000").json["jwks_uri"] == (
            "http://mock-ohid:9000/.well-known/jwks.json"
        )

    @pytest.mark.parametrize(
        "host", ["evil@mock-ohid:8765", "mock-ohid:8765/x", "mock-ohid.evil:8765", "other:8765"]
    )
    def test_a_host_that_is_not_exactly_an_internal_name_gets_the_issuers(self, client, host):
        assert discovery(client, host).json["token_endpoint"] == f"{ISSUER}/token"

    def test_private_key_jwt_may_name_the_internal_token_endpoint(
        self, client, sign_in, user, jwt_client, rp_key
    ):
        code = pkjwt_code(client, sign_in)
        signed = assertion(rp_key, "pkjwt-portal", audience=f"{INTERNAL}/token")
        response = client.post(
            "/token",
            data={**code_request(code), **jwt_auth(signed)},
            headers={"Host": "mock-ohid:8765"},
        )
        assert response.status_code == 200, response.json
        assert response.json["id_token"]

    def test_internal_token_endpoint_audience_is_refused_through_the_public_host(
        self, client, sign_in, user, jwt_client, rp_key
    ):
        code = pkjwt_code(client, sign_in)
        signed = assertion(rp_key, "pkjwt-portal", audience=f"{INTERNAL}/token")
        response = client.post("/token", data={**code_request(code), **jwt_auth(signed)})
        assert response.status_code in (400, 401) and response.json["error"] == "invalid_client"


@pytest.mark.parametrize("value", ["http://mock-ohid", "mock-ohid:8765", "bad name", "-x"])
def test_internal_hosts_must_be_bare_host_names(value):
    with pytest.raises(SettingsError) as info:
        load_settings(environ={"MOCK_OHID_SERVER_INTERNAL_HOSTS": value})
    assert str(info.value) == (
        f"server.internal_hosts: {value.lower()!r} is not a host name "
        "(give names such as mock-ohid, without scheme or port)"
    )


def test_internal_hosts_entries_in_a_file_must_be_strings(tmp_path):
    config = tmp_path / "settings.toml"
    config.write_text("[server]\ninternal_hosts = [8765]\n")
    with pytest.raises(SettingsError) as info:
        load_settings(config_file=config, environ={})
    assert str(info.value) == (
        "server.internal_hosts: 8765 is not a host name "
        "(give names such as mock-ohid, without scheme or port)"
    )


def test_internal_hosts_are_read_comma_separated_from_the_environment():
    settings = load_settings(environ={"MOCK_OHID_SERVER_INTERNAL_HOSTS": " Mock-OHID ,idp.local,"})
    assert settings.internal_hosts == {"mock-ohid", "idp.local"}
