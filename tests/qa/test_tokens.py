"""POST /_qa/tokens: what the token endpoint would return, without a browser."""

from __future__ import annotations

import base64
import json

import pytest
import requests
from click.testing import CliRunner

from idp.cli import main
from idp.store.models import AuditEvent
from idp.testing import QAError
from tests.oidc.portal import basic_auth, decode_id_token

COP = ("optum-connect-claims-online", "claims-online-demo-secret")


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def issue(client, **body):
    body.setdefault("client_id", COP[0])
    body.setdefault("username", "dana.provider")
    return client.post("/_qa/tokens", json=body)


def test_tokens_work_at_userinfo_and_are_refused_after_revocation(client, user):
    body = issue(client, scope="openid profile email").json
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    info = client.get("/userinfo", headers=bearer(body["access_token"]))
    assert info.status_code == 200
    assert info.json["sub"] == user.sub and info.json["email"] == "dana@example.com"
    revoked = client.post("/revoke", data={"token": body["access_token"]}, headers=basic_auth(*COP))
    assert revoked.status_code == 200
    after = client.get("/userinfo", headers=bearer(body["access_token"]))
    assert after.status_code == 401
    assert 'error="invalid_token"' in after.headers["WWW-Authenticate"]


def test_id_token_is_signed_and_carries_the_asked_amr_and_acr(client, user):
    body = issue(client, amr=["pwd", "otp", "mfa"], nonce="n-42").json
    token = decode_id_token(client, body["id_token"])
    claims = token["claims"]
    assert token["header"]["alg"] == "RS256"
    assert claims["aud"] == [COP[0]] and claims["sub"] == user.sub
    assert claims["amr"] == ["pwd", "otp", "mfa"] and claims["acr"] == "urn:ohid:loa:2"
    assert claims["nonce"] == "n-42" and "at_hash" in claims


def test_acr_alone_implies_a_multi_factor_amr(client, user):
    body = issue(client, acr="urn:ohid:loa:2").json
    claims = decode_id_token(client, body["id_token"])["claims"]
    assert claims["amr"] == ["pwd", "otp", "mfa"]


def test_refresh_token_for_a_client_with_the_grant_and_it_refreshes(client, user):
    body = issue(client).json
    refreshed = client.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
        headers=basic_auth(*COP),
    )
    assert refreshed.status_code == 200 and "id_token" in refreshed.json


def test_introspection_sees_the_token_active(client, user):
    body = issue(client, expires_in=120).json
    assert body["expires_in"] == 120
    seen = client.post(
        "/introspect", data={"token": body["access_token"]}, headers=basic_auth(*COP)
    )
    assert seen.json["active"] is True and seen.json["client_id"] == COP[0]


def test_claims_request_adds_named_claims_to_the_id_token(client, user):
    body = issue(client, claims={"id_token": {"email": None}}).json
    claims = decode_id_token(client, body["id_token"])["claims"]
    assert claims["email"] == "dana@example.com"


def test_no_id_token_without_openid(client, user):
    body = issue(client, scope="profile").json
    assert "id_token" not in body and body["scope"] == "profile"


def test_issuing_is_an_audit_event(client, app, user):
    issue(client)
    kinds = [e.kind for e in AuditEvent.query.filter_by(user_id=user.id)]
    assert "qa_tokens_issued" in kinds and "token_issued" in kinds


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"client_id": None}, 400, "Missing field(s): client_id."),
        ({"client_id": "nobody"}, 404, "client_id: no registered client 'nobody'."),
        ({"username": "no.one"}, 404, "username: no user with One Healthcare ID 'no.one'."),
        ({"scope": "openid admin"}, 400, "scope: unknown scope 'admin'"),
        ({"expires_in": 0}, 400, "expires_in: give seconds from 1 to"),
        ({"expires_in": "60"}, 400, "'expires_in' must be a whole number."),
        ({"acr": "urn:ohid:loa:9"}, 400, "acr: use one of urn:ohid:loa:1, urn:ohid:loa:2."),
        ({"amr": []}, 400, "amr: give a list of 1 to 10 method names"),
        ({"amr": [1]}, 400, "amr: give a list of 1 to 10 method names"),
        ({"nonce": ""}, 400, "nonce: give 1 to 255 characters."),
        ({"claims": {"access_token": {}}}, 400, "claims: an OIDC claims request has only"),
        ({"password": "x"}, 400, "Unknown field(s): password."),
    ],
)
def test_bad_input_gets_a_json_error_naming_the_field(client, user, body, status, detail):
    response = issue(client, **body)
    assert response.status_code == status
    assert response.json["detail"].startswith(detail), response.json


def test_not_json_gets_a_415(client, user):
    response = client.post("/_qa/tokens", data="client_id=x")
    assert response.status_code == 415
    assert response.json["error"] == "unsupported_media_type"


def test_deactivated_user_gets_a_409(client, user):
    client.patch("/_qa/users/dana.provider", json={"deactivated": True})
    response = issue(client)
    assert response.status_code == 409
    assert response.json["detail"] == "username: dana.provider is deactivated."


def test_scope_outside_the_clients_registration_is_refused(client, user):
    from tests.oidc.portal import add_client

    add_client(
        client_id="narrow",
        client_secret="s3cret-narrow",
        redirect_uris=["http://localhost:5013/cb"],
        scope="openid profile",
    )
    response = issue(client, client_id="narrow", scope="openid email")
    assert response.status_code == 400
    assert response.json["detail"] == "scope: client 'narrow' may not ask for 'email'."


def test_cli_tokens_issue_prints_the_response(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE": "fast"}
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["tokens", "issue", "--client-id", "optum-pro", "--username", "demo.provider"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.output)) >= {"access_token", "id_token", "expires_in"}
    only = runner.invoke(
        main,
        [
            "tokens",
            "issue",
            "--client-id",
            "optum-pro",
            "--username",
            "demo.provider",
            "--only",
            "access_token",
        ],
        env=env,
    )
    assert only.exit_code == 0 and len(only.output.strip()) > 30 and "{" not in only.output
    # A JWT access token (RFC 9068), the default format.
    header = json.loads(base64.urlsafe_b64decode(only.output.split(".")[0] + "=="))
    assert header["typ"] == "at+jwt"
    bad = runner.invoke(
        main, ["tokens", "issue", "--client-id", "nope", "--username", "demo.provider"], env=env
    )
    assert bad.exit_code == 2
    assert "Error: client_id: no registered client 'nope'." in bad.output


def test_qa_client_wraps_tokens_and_faults(mock_ohid):
    qa = mock_ohid.qa
    qa.create_user(
        username="plugin.user",
        email="plugin@example.com",
        password="Password1",
        email_verified=True,
    )
    body = qa.tokens("optum-pro", "plugin.user", scope="openid email", expires_in=90)
    assert body["expires_in"] == 90 and "id_token" in body
    qa.add_fault("userinfo", status=503, count=1)
    assert [f["endpoint"] for f in qa.faults()] == ["userinfo"]
    userinfo = f"{mock_ohid.issuer}/userinfo"
    headers = bearer(body["access_token"])
    assert requests.get(userinfo, headers=headers, timeout=10).status_code == 503
    assert requests.get(userinfo, headers=headers, timeout=10).json()["email"] == (
        "plugin@example.com"
    )
    qa.add_fault("jwks", kind="delay", delay_ms=5)
    assert qa.clear_faults() == {"cleared": 2}
    with pytest.raises(QAError) as refused:
        qa.tokens("optum-pro", "nobody")
    assert refused.value.status == 404
