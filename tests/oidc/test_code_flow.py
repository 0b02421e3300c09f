"""Authorization code flow (OIDC Core §3.1) through the test client."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from idp.crypto.digests import token_digest
from idp.store.models import AuthorizationCode, Token
from tests.helpers import authorize_url, pkce_pair, query_of
from tests.oidc.portal import (
    CLAIMS_ONLINE,
    add_client,
    basic_auth,
    decode_id_token,
    exchange,
    get_code,
)

ISSUER = "http://localhost:8765"


def test_discovery_lists_the_endpoints(client):
    meta = client.get("/.well-known/openid-configuration").json
    assert meta["issuer"] == ISSUER
    assert meta["authorization_endpoint"] == f"{ISSUER}/authorize"
    assert meta["token_endpoint"] == f"{ISSUER}/token"
    assert meta["userinfo_endpoint"] == f"{ISSUER}/userinfo"
    assert meta["jwks_uri"] == f"{ISSUER}/.well-known/jwks.json"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert "RS256" in meta["id_token_signing_alg_values_supported"]


def test_jwks_publishes_public_keys_only(client):
    keys = client.get("/.well-known/jwks.json").json["keys"]
    assert {k["alg"] for k in keys} == {"RS256", "ES256"}
    for key in keys:
        assert "d" not in key and key["kid"] and key["use"] == "sig"


def test_full_code_flow_issues_a_verified_id_token(client, sign_in, user, clock):
    verifier, challenge = pkce_pair()
    query = get_code(
        client,
        sign_in,
        state="s-123",
        nonce="n-456",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    assert query["state"] == "s-123"
    assert query["iss"] == ISSUER
    response = exchange(client, query["code"], verifier)
    assert response.status_code == 200, response.json
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    decoded = decode_id_token(client, body["id_token"])
    claims = decoded["claims"]
    assert decoded["header"]["kid"] and decoded["header"]["alg"] == "RS256"
    assert claims["iss"] == ISSUER
    assert claims["aud"] == [CLAIMS_ONLINE[0]]
    assert claims["sub"] == user.sub
    assert claims["nonce"] == "n-456"
    assert claims["preferred_username"] == "dana.provider"
    assert claims["email"] == "dana@example.com" and claims["email_verified"] is True
    assert claims["given_name"] == "Test" and claims["name"].startswith("Test ")
    assert claims["amr"] == ["pwd"]
    assert claims["sid"] and claims["at_hash"]
    assert abs(claims["auth_time"] - clock.now().timestamp()) < 60
    assert claims["exp"] > claims["iat"]


def test_userinfo_returns_claims_for_the_token(client, sign_in, user):
    query = get_code(client, sign_in, nonce="n1")
    token = exchange(client, query["code"]).json["access_token"]
    info = client.get("/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert info.status_code == 200
    assert info.json["sub"] == user.sub and info.json["preferred_username"] == "dana.provider"
    posted = client.post("/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert posted.json["email"] == "dana@example.com"


def test_userinfo_without_token_is_401_with_www_authenticate(client):
    response = client.get("/userinfo")
    assert response.status_code == 401
    assert response.json["error"] == "missing_authorization"


def test_userinfo_with_bad_token_is_401_invalid_token(client):
    response = client.get("/userinfo", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert response.json["error"] == "invalid_token"


def test_expired_access_token_is_refused_by_userinfo(client, sign_in, user, clock):
    query = get_code(client, sign_in)
    token = exchange(client, query["code"]).json["access_token"]
    clock.advance(seconds=3601)
    assert client.get("/userinfo", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_second_portal_gets_a_code_without_signing_in_again(client, sign_in, user):
    get_code(client, sign_in)
    response = client.get(authorize_url("provider-express", "http://localhost:5005/callback"))
    assert response.headers["Location"].startswith("http://localhost:5005/callback?code=")


def test_request_without_state_or_nonce_succeeds_and_id_token_has_no_nonce(client, sign_in, user):
    query = get_code(client, sign_in)
    assert "state" not in query
    claims = decode_id_token(client, exchange(client, query["code"]).json["id_token"])["claims"]
    assert "nonce" not in claims


@pytest.mark.parametrize("app_overrides", [{"clients.default_scopes": ""}])
def test_scope_without_email_releases_no_email(client, sign_in, user):
    query = get_code(client, sign_in, scope="openid")
    claims = decode_id_token(client, exchange(client, query["code"]).json["id_token"])["claims"]
    assert "email" not in claims and "preferred_username" not in claims


def test_openid_alone_gets_profile_and_email_by_default(client, sign_in, user):
    # What a broker (Keycloak) asks for by default: the ID token is still usable.
    query = get_code(client, sign_in, scope="openid")
    body = exchange(client, query["code"]).json
    assert body["scope"] == "openid profile email"
    claims = decode_id_token(client, body["id_token"])["claims"]
    assert claims["email"] == user.email and claims["preferred_username"] == "dana.provider"


def test_a_clients_own_default_scopes_replace_the_servers(client, sign_in, user):
    add_client(
        client_id="broker",
        client_secret="broker-secret",
        redirect_uris=["http://localhost:5030/cb"],
        default_scopes=["email"],
        trusted=True,
    )
    query = get_code(
        client, sign_in, client_id="broker", redirect_uri="http://localhost:5030/cb", scope="openid"
    )
    body = exchange(
        client, query["code"], client_id="broker", secret="broker-secret",
        redirect_uri="http://localhost:5030/cb",
    )  # fmt: skip
    assert body.json["scope"] == "openid email"


def test_a_strict_client_gets_no_default_scopes(client, sign_in, user):
    add_client(
        client_id="strict-scopes",
        client_secret="strict-secret",
        redirect_uris=["http://localhost:5031/cb"],
        strict_auth_method=True,
        trusted=True,
    )
    uri = "http://localhost:5031/cb"
    query = get_code(client, sign_in, client_id="strict-scopes", redirect_uri=uri, scope="openid")
    body = exchange(
        client, query["code"], client_id="strict-scopes", secret="strict-secret", redirect_uri=uri
    )
    assert body.json["scope"] == "openid"


def test_client_secret_post_client_can_exchange(client, sign_in, user):
    query = get_code(
        client, sign_in, client_id="optum-pro", redirect_uri="http://localhost:5003/callback"
    )
    response = client.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": "http://localhost:5003/callback",
            "client_id": "optum-pro",
            "client_secret": "optum-pro-demo-secret",
        },
    )
    assert response.status_code == 200 and "id_token" in response.json


def test_public_client_with_pkce_gets_tokens(client, sign_in, user):
    verifier, challenge = pkce_pair()
    query = get_code(
        client,
        sign_in,
        client_id="optum-provider-portal",
        redirect_uri="http://localhost:5004/callback",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    response = exchange(
        client,
        query["code"],
        verifier,
        client_id="optum-provider-portal",
        secret=None,
        redirect_uri="http://localhost:5004/callback",
    )
    assert response.status_code == 200, response.json


def test_public_client_without_pkce_gets_invalid_request(client, sign_in, user):
    sign_in("dana.provider")
    response = client.get(
        authorize_url("optum-provider-portal", "http://localhost:5004/callback", state="x")
    )
    query = query_of(response.headers["Location"])
    assert query["error"] == "invalid_request" and "PKCE" in query["error_description"]
    assert query["state"] == "x" and query["iss"] == ISSUER


def test_plain_pkce_method_is_refused(client, sign_in, user):
    sign_in("dana.provider")
    response = client.get(authorize_url(code_challenge="a" * 43, code_challenge_method="plain"))
    assert query_of(response.headers["Location"])["error"] == "invalid_request"


def test_pkce_challenge_without_a_method_is_refused_as_only_s256(client, sign_in, user):
    # RFC 7636 §4.3: no method means "plain", which is not supported; refused, not guessed.
    sign_in("dana.provider")
    _, challenge = pkce_pair()
    response = client.get(authorize_url(code_challenge=challenge, state="p"))
    query = query_of(response.headers["Location"])
    assert query["error"] == "invalid_request" and query["state"] == "p"
    assert query["error_description"] == (
        "Missing 'code_challenge_method': only S256 is supported."
    )


def test_wrong_pkce_verifier_is_invalid_grant(client, sign_in, user):
    _, challenge = pkce_pair()
    other_verifier, _ = pkce_pair()
    query = get_code(client, sign_in, code_challenge=challenge, code_challenge_method="S256")
    response = exchange(client, query["code"], other_verifier)
    assert response.status_code == 400 and response.json["error"] == "invalid_grant"


def test_missing_pkce_verifier_is_invalid_request(client, sign_in, user):
    _, challenge = pkce_pair()
    query = get_code(client, sign_in, code_challenge=challenge, code_challenge_method="S256")
    response = exchange(client, query["code"])
    assert response.status_code == 400 and response.json["error"] == "invalid_request"


def test_code_exchange_commits_once_with_the_code_claimed_and_the_tokens(client, sign_in, user, db):
    code = get_code(client, sign_in)["code"]
    commits = []

    def count(*_args):
        commits.append(1)

    event.listen(db.engine, "commit", count)
    try:
        response = exchange(client, code)
    finally:
        event.remove(db.engine, "commit", count)
    assert response.status_code == 200, response.json
    assert len(commits) == 1
    assert db.session.query(AuthorizationCode).one().used_at is not None
    token = db.session.query(Token).one()
    assert token.access_token_hash == token_digest(response.json["access_token"])


def test_code_refused_for_a_wrong_pkce_verifier_still_redeems_with_the_right_one(
    client, sign_in, user
):
    # RFC 7636 §4.6 asks for invalid_grant, not for the code to be used up: a
    # request without the verifier cannot spend the portal's code.
    verifier, challenge = pkce_pair()
    other_verifier, _ = pkce_pair()
    query = get_code(client, sign_in, code_challenge=challenge, code_challenge_method="S256")
    refused = exchange(client, query["code"], other_verifier)
    assert refused.status_code == 400 and refused.json["error"] == "invalid_grant"
    response = exchange(client, query["code"], verifier)
    assert response.status_code == 200 and response.json["id_token"]


def test_code_refused_for_another_redirect_uri_still_redeems_with_its_own(
    client, sign_in, user, db
):
    query = get_code(client, sign_in)
    refused = exchange(client, query["code"], redirect_uri="http://localhost:5001/other")
    assert refused.status_code == 400 and refused.json["error"] == "invalid_grant"
    assert db.session.query(AuthorizationCode).one().used_at is None
    assert exchange(client, query["code"]).status_code == 200


def test_reused_code_fails_and_revokes_the_tokens_it_issued(client, sign_in, user, db):
    query = get_code(client, sign_in)
    first = exchange(client, query["code"])
    assert first.status_code == 200
    second = exchange(client, query["code"])
    assert second.status_code == 400 and second.json["error"] == "invalid_grant"
    token = first.json["access_token"]
    assert client.get("/userinfo", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert db.session.query(Token).one().access_revoked_at is not None


def test_expired_code_is_invalid_grant(client, sign_in, user, clock):
    query = get_code(client, sign_in)
    clock.advance(seconds=601)
    response = exchange(client, query["code"])
    assert response.json["error"] == "invalid_grant"


def test_code_is_stored_only_as_a_digest(client, sign_in, user, db):
    query = get_code(client, sign_in)
    stored = db.session.query(AuthorizationCode).one()
    assert stored.code_hash == token_digest(query["code"]) and stored.code_hash != query["code"]


def test_code_for_another_redirect_uri_is_invalid_grant(client, sign_in, user):
    query = get_code(client, sign_in)
    response = exchange(client, query["code"], redirect_uri="http://localhost:5001/auth/callback")
    assert response.json["error"] == "invalid_grant"


def test_wrong_client_secret_is_invalid_client(client, sign_in, user):
    query = get_code(client, sign_in)
    response = exchange(client, query["code"], secret="wrong")
    assert response.status_code == 401 and response.json["error"] == "invalid_client"


def test_code_of_another_client_is_invalid_grant(client, sign_in, user):
    query = get_code(client, sign_in)
    response = client.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": "http://localhost:5005/callback",
        },
        headers=basic_auth("provider-express", "provider-express-demo-secret"),
    )
    assert response.json["error"] == "invalid_grant"


def test_unsupported_grant_type(client):
    response = client.post(
        "/token", data={"grant_type": "password"}, headers=basic_auth(*CLAIMS_ONLINE[:2])
    )
    assert response.status_code == 400 and response.json["error"] == "unsupported_grant_type"


def test_missing_code_is_invalid_request(client):
    response = client.post(
        "/token", data={"grant_type": "authorization_code"}, headers=basic_auth(*CLAIMS_ONLINE[:2])
    )
    assert response.json["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"client_id": "no-such-portal"}, "invalid_client"),
        ({"redirect_uri": "http://evil.example/callback"}, "invalid_request"),
        ({"redirect_uri": "http://localhost:5001/callback/"}, "invalid_request"),
        ({"client_id": ""}, "invalid_client"),
    ],
)
def test_bad_client_or_redirect_uri_shows_an_error_page_never_a_redirect(client, params, error):
    values = {"client_id": CLAIMS_ONLINE[0], "redirect_uri": CLAIMS_ONLINE[2]}
    values.update(params)
    response = client.get(authorize_url(values.pop("client_id"), values.pop("redirect_uri")))
    assert response.status_code == 400
    assert "Location" not in response.headers
    page = response.get_data(as_text=True)
    assert "sign you in to this site" in page and error in page


def test_missing_redirect_uri_with_several_registered_is_an_error_page(client):
    response = client.get(
        "/authorize?response_type=code&client_id=optum-connect-claims-online&scope=openid"
    )
    assert response.status_code == 400 and "Location" not in response.headers


def test_missing_response_type_is_redirected_as_an_error(client):
    response = client.get(
        authorize_url(response_type=None).replace("response_type=code&", "") + "&state=abc"
    )
    query = query_of(response.headers["Location"])
    assert query["error"] == "unsupported_response_type" and query["state"] == "abc"


def test_unsupported_response_type_is_redirected_as_an_error(client):
    response = client.get(authorize_url(response_type="token"))
    assert query_of(response.headers["Location"])["error"] == "unsupported_response_type"


def test_id_token_response_type_is_told_only_code_is_supported(client):
    query = query_of(client.get(authorize_url(response_type="id_token")).headers["Location"])
    assert query["error"] == "unsupported_response_type"
    assert query["error_description"] == (
        "Only response_type code is supported (the authorization code flow)."
    )


def test_unknown_scope_is_invalid_scope(client, sign_in, user):
    sign_in("dana.provider")
    response = client.get(authorize_url(scope="openid wallet"))
    assert query_of(response.headers["Location"])["error"] == "invalid_scope"


def test_prompt_none_without_session_is_login_required(client):
    response = client.get(authorize_url(prompt="none", state="p"))
    query = query_of(response.headers["Location"])
    assert query["error"] == "login_required" and query["state"] == "p" and query["iss"] == ISSUER


def test_authorization_request_by_post_works(client, sign_in, user):
    sign_in("dana.provider")
    response = client.post(
        "/authorize",
        data={
            "response_type": "code",
            "client_id": CLAIMS_ONLINE[0],
            "redirect_uri": CLAIMS_ONLINE[2],
            "scope": "openid",
        },
    )
    assert "code=" in response.headers["Location"]


def test_unknown_parameters_are_ignored(client, sign_in, user):
    query = get_code(client, sign_in, foo="bar", display="page", ui_locales="en-US")
    assert "code" in query


def test_duplicate_parameters_are_refused(client, sign_in, user):
    sign_in("dana.provider")
    response = client.get(authorize_url() + "&state=a&state=b")
    assert response.status_code == 400 and "Location" not in response.headers
    assert "invalid_request" in response.get_data(as_text=True)


def test_expired_interaction_shows_the_expired_page(client, user, clock):
    response = client.get(authorize_url())
    uid = query_of(response.headers["Location"])["interaction"]
    clock.advance(minutes=31)
    page = client.get(f"/authorize/resume/{uid}")
    assert page.status_code == 400
    assert "This sign-in request has expired" in page.get_data(as_text=True)


def test_interaction_of_another_browser_cannot_be_resumed(app, client, user):
    response = client.get(authorize_url())
    uid = query_of(response.headers["Location"])["interaction"]
    other = app.test_client()
    assert other.get(f"/authorize/resume/{uid}").status_code == 400


def _written_interaction(db) -> str:
    """A portal's interaction with a sign-in recorded on it (so it is written)."""
    from idp.lifecycle.interactions import begin_interaction, save_interaction

    interaction = save_interaction(begin_interaction(CLAIMS_ONLINE[0], {}))
    db.session.commit()
    return interaction.uid


def test_interactions_abandoned_for_a_week_are_swept_and_newer_ones_kept(app, db, clock):
    from idp.lifecycle.interactions import sweep_abandoned_interactions
    from idp.store.models import Interaction

    old = _written_interaction(db)
    clock.advance(days=6)
    recent = _written_interaction(db)
    clock.advance(days=1, minutes=1)
    with app.test_request_context():
        assert sweep_abandoned_interactions(clock.now()) == 1
        db.session.commit()
        assert db.session.get(Interaction, old) is None
        assert db.session.get(Interaction, recent) is not None
