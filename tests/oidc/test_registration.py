"""Dynamic client registration at /register (RFC 7591, OIDC Registration 1.0)."""

from __future__ import annotations

import pytest
from joserfc.jwk import RSAKey

from idp.store.models import OAuth2Client
from tests.helpers import authorize_url
from tests.oidc.portal import allow_consent, basic_auth, exchange

REDIRECT = "http://localhost:5040/cb"


def register(client, **metadata):
    return client.post("/register", json=metadata)


def test_registration_returns_credentials_and_the_metadata(client, db):
    response = register(
        client,
        client_name="New Portal",
        redirect_uris=[REDIRECT],
        post_logout_redirect_uris=["http://localhost:5040/"],
        grant_types=["authorization_code", "refresh_token"],
        backchannel_logout_uri="http://localhost:5040/bc",
        contacts=["ops@example.com"],
    )
    assert response.status_code == 201, response.json
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert body["client_id"].startswith("dyn-") and body["client_secret"]
    assert body["client_secret_expires_at"] == 0 and body["client_id_issued_at"] > 0
    assert body["redirect_uris"] == [REDIRECT]
    assert body["token_endpoint_auth_method"] == "client_secret_basic"
    assert body["grant_types"] == ["authorization_code", "refresh_token"]
    assert body["backchannel_logout_uri"] == "http://localhost:5040/bc"
    assert body["client_name"] == "New Portal" and body["contacts"] == ["ops@example.com"]
    stored = db.session.query(OAuth2Client).filter_by(client_id=body["client_id"]).one()
    assert stored.trusted is False and stored.source == "dynamic"
    assert stored.client_secret_hash != body["client_secret"]


def test_registered_client_signs_in_after_consent(client, sign_in, user):
    body = register(client, client_name="New Portal", redirect_uris=[REDIRECT]).json
    response = client.get(authorize_url(body["client_id"], REDIRECT))
    response = sign_in("dana.provider")
    # Dynamic registrations are never trusted: the user is asked to share.
    response = allow_consent(client, response)
    code = response.headers["Location"].split("code=")[1].split("&")[0]
    tokens = exchange(
        client,
        code,
        client_id=body["client_id"],
        secret=body["client_secret"],
        redirect_uri=REDIRECT,
    )
    assert tokens.status_code == 200 and tokens.json["id_token"]


def test_default_grant_type_is_authorization_code_only(client, sign_in, user):
    body = register(client, redirect_uris=[REDIRECT]).json
    assert body["grant_types"] == ["authorization_code"]
    response = client.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        headers=basic_auth(body["client_id"], body["client_secret"]),
    )
    assert response.json["error"] == "unauthorized_client"


def test_public_client_gets_no_secret(client):
    body = register(client, redirect_uris=[REDIRECT], token_endpoint_auth_method="none").json
    assert "client_secret" not in body and "client_secret_expires_at" not in body


def test_private_key_jwt_client_registers_its_keys(client):
    key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    response = register(
        client,
        redirect_uris=[REDIRECT],
        token_endpoint_auth_method="private_key_jwt",
        jwks={"keys": [key.as_dict(private=False)]},
    )
    assert response.status_code == 201 and "client_secret" not in response.json


def test_es256_id_tokens_can_be_requested(client, sign_in, user):
    body = register(client, redirect_uris=[REDIRECT], id_token_signed_response_alg="ES256").json
    assert body["id_token_signed_response_alg"] == "ES256"


@pytest.mark.parametrize(
    ("metadata", "error", "words"),
    [
        ({}, "invalid_client_metadata", "JSON object"),
        ({"client_name": "x"}, "invalid_redirect_uri", "redirect_uris"),
        ({"redirect_uris": []}, "invalid_redirect_uri", "redirect_uris"),
        ({"redirect_uris": "http://localhost:5040/cb"}, "invalid_redirect_uri", "redirect_uris"),
        ({"redirect_uris": ["not a uri"]}, "invalid_redirect_uri", "redirect_uris"),
        ({"redirect_uris": ["http://localhost:5040/cb#frag"]}, "invalid_redirect_uri", ""),
        (
            {"redirect_uris": [REDIRECT], "scope": "openid wallet"},
            "invalid_client_metadata",
            "scope",
        ),
        (
            {"redirect_uris": [REDIRECT], "userinfo_signed_response_alg": "RS256"},
            "invalid_client_metadata",
            "userinfo_signed_response_alg",
        ),
        (
            {"redirect_uris": [REDIRECT], "subject_type": "pairwise"},
            "invalid_client_metadata",
            "subject_type",
        ),
        (
            {"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "private_key_jwt"},
            "invalid_client_metadata",
            "jwks",
        ),
        (
            {"redirect_uris": [REDIRECT], "jwks": {"keys": [{"kty": "nope"}]}},
            "invalid_client_metadata",
            "jwks",
        ),
        (
            {"redirect_uris": [REDIRECT], "grant_types": ["refresh_token"]},
            "invalid_client_metadata",
            "authorization_code",
        ),
        (
            {"redirect_uris": [REDIRECT], "post_logout_redirect_uris": ["nope"]},
            "invalid_client_metadata",
            "post_logout_redirect_uris",
        ),
        (
            {"redirect_uris": [REDIRECT], "backchannel_logout_uri": "ftp://x"},
            "invalid_client_metadata",
            "backchannel_logout_uri",
        ),
    ],
)
def test_bad_metadata_gets_the_rfc_error(client, db, metadata, error, words):
    response = client.post("/register", json=metadata)
    assert response.status_code == 400, response.json
    assert response.json["error"] == error
    assert words in response.json.get("error_description", "")
    assert db.session.query(OAuth2Client).filter_by(source="dynamic").count() == 0


@pytest.mark.parametrize(
    ("asked", "registered"),
    [
        (
            {"token_endpoint_auth_method": "client_secret_jwt"},
            {"token_endpoint_auth_method": "client_secret_basic"},
        ),
        ({"response_types": ["code id_token"]}, {"response_types": ["code"]}),
        ({"response_types": ["code", "id_token", "code id_token"]}, {"response_types": ["code"]}),
        ({"grant_types": ["implicit"]}, {"grant_types": ["authorization_code"]}),
        (
            {"grant_types": ["implicit", "refresh_token"]},
            {"grant_types": ["authorization_code", "refresh_token"]},
        ),
        ({"id_token_signed_response_alg": "HS256"}, {"id_token_signed_response_alg": "RS256"}),
        ({"frontchannel_logout_uri": "http://localhost:5040/fc"}, {}),
        ({"initiate_login_uri": "https://localhost:5040/login"}, {}),
        ({"default_max_age": 3600, "default_acr_values": ["loa1"]}, {}),
    ],
)
def test_what_common_rps_ask_by_default_is_replaced_not_refused(client, db, asked, registered):
    response = register(client, redirect_uris=[REDIRECT], **asked)
    assert response.status_code == 201, response.json
    body = response.json
    for name, value in registered.items():
        assert body[name] == value
    for name in set(asked) - set(registered):
        assert name not in body
    stored = db.session.query(OAuth2Client).filter_by(client_id=body["client_id"]).one()
    assert {k: stored.client_metadata[k] for k in registered} == registered


def test_refused_metadata_names_the_field_not_the_value(client):
    response = register(
        client, redirect_uris=[REDIRECT], userinfo_encrypted_response_alg="RSA-OAEP"
    )
    assert response.status_code == 400
    assert response.json["error_description"] == (
        "Not supported by mock-ohid: userinfo_encrypted_response_alg."
    )


def test_allowed_origins_are_registered(client):
    body = register(
        client, redirect_uris=[REDIRECT], allowed_origins=["http://localhost:5041"]
    ).json
    assert body["allowed_origins"] == ["http://localhost:5041"]


def test_allowed_origins_must_be_bare_origins(client):
    response = register(
        client, redirect_uris=[REDIRECT], allowed_origins=["http://localhost:5041/app"]
    )
    assert response.status_code == 400
    assert "allowed_origins" in response.json["error_description"]


def test_a_json_array_is_refused(client):
    response = client.post("/register", json=[{"redirect_uris": [REDIRECT]}])
    assert response.status_code == 400 and response.json["error"] == "invalid_client_metadata"


def test_a_form_post_goes_to_the_account_page_not_client_registration(client, db):
    # A form POST is "Create One Healthcare ID" (SPEC §3.2): without its CSRF token it is refused.
    response = client.post("/register", data={"redirect_uris": REDIRECT})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert db.session.query(OAuth2Client).filter_by(source="dynamic").count() == 0


def test_discovery_advertises_the_registration_endpoint(client):
    meta = client.get("/.well-known/openid-configuration").json
    assert meta["registration_endpoint"] == "http://localhost:8765/register"


class TestRegistrationTurnedOff:
    @pytest.fixture
    def app_overrides(self):
        return {"clients.dynamic_registration": False}

    def test_registration_is_refused(self, client, db):
        response = register(client, redirect_uris=[REDIRECT])
        assert response.status_code == 400 and response.json["error"] == "access_denied"
        assert "turned off" in response.json["error_description"]
        assert db.session.query(OAuth2Client).filter_by(source="dynamic").count() == 0

    def test_discovery_does_not_list_it(self, client):
        meta = client.get("/.well-known/openid-configuration").json
        assert "registration_endpoint" not in meta


def test_second_exchange_with_registered_client_uses_its_secret(client, sign_in, user):
    body = register(client, redirect_uris=[REDIRECT]).json
    client.get(authorize_url(body["client_id"], REDIRECT))
    response = allow_consent(client, sign_in("dana.provider"))
    code = response.headers["Location"].split("code=")[1].split("&")[0]
    wrong = exchange(
        client, code, client_id=body["client_id"], secret="nope", redirect_uri=REDIRECT
    )
    assert wrong.status_code == 401 and wrong.json["error"] == "invalid_client"
