"""Clients shown and changed in place (``/_qa/clients``, ``QAClient``, ``mock-ohid
clients show|update|list``), revoking nothing."""

from __future__ import annotations

import json

import pytest
import sqlalchemy
from click.testing import CliRunner

from idp.cli import main
from idp.testing import QAClient, QAError
from tests.oidc.portal import basic_auth

COP = ("optum-connect-claims-online", "claims-online-demo-secret")
# Stands for every redirect URI the client has (read in the test).
ALL_REDIRECT_URIS: list = []


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def issue(client, client_id=COP[0]):
    response = client.post(
        "/_qa/tokens", json={"client_id": client_id, "username": "dana.provider"}
    )
    assert response.status_code == 200, response.json
    return response.json


def test_get_shows_everything_a_portal_needs_but_the_secret(client):
    shown = client.get(f"/_qa/clients/{COP[0]}").json
    assert "http://localhost:5001/callback" in shown["redirect_uris"]
    assert shown["post_logout_redirect_uris"] == ["http://localhost:5001/"]
    assert shown["token_endpoint_auth_method"] == "client_secret_basic"
    assert shown["default_scopes"] == ["profile", "email"]
    assert shown["access_token_format"] == "jwt" and shown["access_token_typ"] == "at+jwt"
    assert shown["has_secret"] is True and "client_secret" not in shown
    assert COP[1] not in json.dumps(shown)
    listed = client.get("/_qa/clients").json
    assert COP[0] in [c["client_id"] for c in listed]


def test_update_keeps_the_clients_tokens_alive(client, user):
    tokens = issue(client)
    changed = client.patch(
        f"/_qa/clients/{COP[0]}",
        json={
            "add_post_logout_redirect_uris": ["http://localhost:5001"],
            "remove_redirect_uris": ["http://localhost:5001/auth/callback"],
            "token_endpoint_auth_method": "client_secret_post",
            "strict_auth_method": True,
            "trusted": False,
            "default_scopes": [],
        },
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["post_logout_redirect_uris"] == [
        "http://localhost:5001/",
        "http://localhost:5001",
    ]
    assert "http://localhost:5001/auth/callback" not in changed.json["redirect_uris"]
    assert "http://localhost:5001/callback" in changed.json["redirect_uris"]
    assert "client_secret" not in changed.json
    # Nothing was revoked: the access token, the refresh token and the secret still work.
    assert client.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 200
    refreshed = client.post(
        "/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": COP[0],
            "client_secret": COP[1],
        },
    )
    assert refreshed.status_code == 200, refreshed.json
    # Now strict client_secret_post: Basic is refused.
    basic = client.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": refreshed.json["refresh_token"]},
        headers=basic_auth(*COP),
    )
    assert basic.status_code == 401 and "(strict)" in basic.json["error_description"]


def test_a_new_secret_is_shown_once_and_replaces_the_old(client):
    changed = client.patch(f"/_qa/clients/{COP[0]}", json={"new_secret": True}).json
    secret = changed["client_secret"]
    assert secret != COP[1]
    assert client.get(f"/_qa/clients/{COP[0]}").json.get("client_secret") is None
    old = client.post("/introspect", data={"token": "x"}, headers=basic_auth(*COP))
    assert old.json["error_description"] == "The client secret is wrong for this client_id."
    new = client.post("/introspect", data={"token": "x"}, headers=basic_auth(COP[0], secret))
    assert new.status_code == 200


def test_qa_api_registers_a_resource_server(client, user):
    created = client.post(
        "/_qa/clients",
        json={
            "client_id": "claims-api",
            "redirect_uris": ["http://localhost:5060/cb"],
            "introspect_any": True,
        },
    )
    assert created.status_code == 201, created.json
    secret = created.json["client_secret"]
    token = issue(client)["access_token"]
    seen = client.post(
        "/introspect", data={"token": token}, headers=basic_auth("claims-api", secret)
    )
    assert seen.json["active"] is True


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"remove_redirect_uris": ["http://nowhere.example/"]}, 400, "is not registered"),
        ({"remove_redirect_uris": ALL_REDIRECT_URIS}, 400, "redirect_uris must be a non-empty"),
        ({"add_redirect_uris": ["not a uri"]}, 400, "not an absolute http(s) URI"),
        ({"access_token_format": "paseto"}, 400, "access_token_format must be one of"),
        ({"introspect_any": "yes"}, 400, "'introspect_any' must be a bool"),
        ({"colour": "red"}, 400, "Unknown field(s): colour."),
        ({}, 400, "Send at least one field"),
    ],
)  # fmt: skip
def test_bad_changes_get_a_json_error_naming_the_field(client, body, status, detail):
    if body.get("remove_redirect_uris") is ALL_REDIRECT_URIS:
        body = {"remove_redirect_uris": client.get(f"/_qa/clients/{COP[0]}").json["redirect_uris"]}
    response = client.patch(f"/_qa/clients/{COP[0]}", json=body)
    assert response.status_code == status and detail in response.json["detail"], response.json


def test_unknown_client_is_404(client):
    assert client.get("/_qa/clients/nobody").status_code == 404
    assert client.patch("/_qa/clients/nobody", json={"trusted": True}).status_code == 404


def test_qa_client_wraps_clients(live_server):
    qa = QAClient(live_server.url)
    created = qa.create_client("qa-portal", ["http://localhost:5061/cb"])
    assert created["client_secret"]
    updated = qa.update_client(
        "qa-portal", add_post_logout_redirect_uris=["http://localhost:5061/"]
    )
    assert updated["post_logout_redirect_uris"] == ["http://localhost:5061/"]
    assert qa.client("qa-portal")["redirect_uris"] == ["http://localhost:5061/cb"]
    assert "qa-portal" in [c["client_id"] for c in qa.clients()]
    qa.delete_client("qa-portal")
    with pytest.raises(QAError) as caught:
        qa.client("qa-portal")
    assert caught.value.status == 404


@pytest.fixture
def cli(tmp_path):
    env = {
        "MOCK_OHID_KEYS_DIR": str(tmp_path / "keys"),
        "MOCK_OHID_DATABASE_URL": f"sqlite:///{tmp_path / 'mock-ohid.db'}",
        "MOCK_OHID_SERVER_INSTANCE_DIR": str(tmp_path / "instance"),
        "MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE": "fast",
    }

    def run(*args):
        return CliRunner().invoke(main, list(args), env=env)

    return run


def test_cli_show_update_and_list(cli, tmp_path):
    assert cli("init").exit_code == 0
    added = cli("clients", "add", "--id", "my-portal", "--redirect-uri", "http://localhost:3000/cb")
    assert added.exit_code == 0, added.output
    token = cli("tokens", "issue", "--client-id", "my-portal", "--username", "demo.provider",
                "--only", "access_token")  # fmt: skip
    assert token.exit_code == 0, token.output
    updated = cli(
        "clients", "update", "my-portal",
        "--add-post-logout-redirect-uri", "http://localhost:3000",
        "--add-redirect-uri", "http://localhost:3000/callback",
        "--auth-method", "client_secret_post", "--access-token-typ", "JWT",
        "--introspect-any",
    )  # fmt: skip
    assert updated.exit_code == 0, updated.output
    assert "its tokens and consents are kept" in updated.output
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'mock-ohid.db'}")
    with engine.connect() as connection:
        live = connection.execute(
            sqlalchemy.text(
                "SELECT count(*) FROM tokens WHERE client_id = 'my-portal'"
                " AND access_revoked_at IS NULL AND refresh_revoked_at IS NULL"
            )
        ).scalar_one()
    engine.dispose()
    assert live == 1
    shown = json.loads(cli("clients", "show", "my-portal").output)
    assert shown["redirect_uris"] == ["http://localhost:3000/cb", "http://localhost:3000/callback"]
    assert shown["post_logout_redirect_uris"] == ["http://localhost:3000"]
    assert shown["token_endpoint_auth_method"] == "client_secret_post"
    assert shown["access_token_typ"] == "JWT" and shown["introspect_any"] is True
    assert shown["discovery_url"].endswith("/.well-known/openid-configuration")
    listing = cli("clients", "list").output
    assert "post_logout_redirect_uri http://localhost:3000" in listing
    assert "redirect_uri             http://localhost:3000/callback" in listing


def test_cli_update_refuses_bad_changes_in_one_line(cli):
    cli("clients", "add", "--id", "my-portal", "--redirect-uri", "http://localhost:3000/cb")
    missing = cli("clients", "update", "my-portal", "--remove-redirect-uri", "http://x.example/")
    assert missing.exit_code == 2 and "is not registered for this client" in missing.output
    nothing = cli("clients", "update", "my-portal")
    assert nothing.exit_code == 2 and "give at least one change" in nothing.output
    unknown = cli("clients", "show", "nobody")
    assert unknown.exit_code == 2 and "no client 'nobody'" in unknown.output
