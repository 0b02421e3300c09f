"""Portal claims: set through the QA API, the CLI and users.toml; released per client by
its scope → claims mapping, only for the scope asked; named on the consent screen."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from idp.bootstrap import seed_users
from idp.cli import main
from idp.lifecycle.accounts import find_by_username
from idp.oidc.clients import ClientConfigError, register_client
from idp.settings import SettingsError
from tests.helpers import authorize_url, query_of
from tests.oidc.portal import add_client, allow_consent, decode_id_token, exchange

CLAIMS = {
    "npi": "1234567893",
    "tax_ids": ["123456789", "987654321"],
    "state": "MN",
    "role": "Administrator",
    "job_functions": ["Claims submission"],
    "practice_name": "Lakeside Family Practice",
    "provider_type": "Physician",
    "tier": "gold",
}
NEW_USER = {"username": "pat.provider", "email": "pat@example.com", "password": "Password1"}


def tokens(client, **body):
    body.setdefault("username", "pat.provider")
    response = client.post("/_qa/tokens", json=body)
    assert response.status_code == 200, response.json
    return response.json


@pytest.fixture
def pat(client):
    response = client.post("/_qa/users", json={**NEW_USER, "claims": CLAIMS})
    assert response.status_code == 201, response.json
    return response.json


# --- setting them -------------------------------------------------------------------


def test_qa_api_creates_a_user_with_portal_claims(pat):
    assert pat["claims"] == CLAIMS


def test_qa_api_patch_lays_claims_over_and_null_removes(client, pat):
    response = client.patch(
        "/_qa/users/pat.provider", json={"claims": {"state": "wi", "tier": None, "beta": True}}
    )
    assert response.status_code == 200
    claims = response.json["claims"]
    assert claims["state"] == "WI" and claims["beta"] is True and "tier" not in claims
    assert claims["npi"] == "1234567893"


@pytest.mark.parametrize(
    ("claims", "detail"),
    [
        ({"npi": "1234567890"}, "claims.npi: This NPI's check digit is wrong"),
        ({"tax_ids": ["1234"]}, "claims.tax_ids: A Tax ID is 9 digits; '1234' is not."),
        (
            {"tax_ids": [f"{n:09d}" for n in range(31)]},
            "claims.tax_ids: A user has at most 30 Tax IDs; 31 were given.",
        ),
        ({"tier": {"nested": 1}}, "claims.tier: A custom claim's value is a JSON string"),
        ({"email": "x@example.com"}, "claims.email: 'email' is a standard claim"),
    ],
)
def test_bad_claims_get_a_400_naming_the_field_and_create_nothing(client, claims, detail):
    response = client.post("/_qa/users", json={**NEW_USER, "claims": claims})
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"
    assert response.json["detail"].startswith(detail)
    assert client.get("/_qa/users/pat.provider").status_code == 404


def test_bad_claims_in_a_patch_change_nothing(client, pat):
    response = client.patch(
        "/_qa/users/pat.provider", json={"first_name": "Pat", "claims": {"state": "ZZ"}}
    )
    assert response.status_code == 400
    assert response.json["detail"].startswith("claims.state: Give a US state")
    state = client.get("/_qa/users/pat.provider").json
    assert state["claims"]["state"] == "MN" and state["first_name"] == ""


def test_claims_that_are_not_an_object_get_a_400(client, pat):
    response = client.patch("/_qa/users/pat.provider", json={"claims": ["npi"]})
    assert response.status_code == 400
    assert response.json["detail"] == "'claims' must be an object."


def test_users_toml_seeds_portal_claims(app, tmp_path):
    seed = tmp_path / "users.toml"
    seed.write_text(
        '[[user]]\nusername = "seeded.one"\npassword = "Password1"\n'
        'email = "seeded@example.com"\n[user.claims]\nnpi = "1234567893"\nstate = "tx"\n'
    )
    seed_users(seed)
    assert find_by_username("seeded.one").portal_claims == {"npi": "1234567893", "state": "TX"}


def test_users_toml_with_a_bad_claim_stops_start_up_naming_it(app, tmp_path):
    seed = tmp_path / "users.toml"
    seed.write_text(
        '[[user]]\nusername = "seeded.two"\npassword = "Password1"\n'
        'email = "seeded2@example.com"\n[user.claims]\nnpi = "123"\n'
    )
    with pytest.raises(SettingsError, match="user 'seeded.two': claims.npi: An NPI is 10 digits"):
        seed_users(seed)


def test_bundled_demo_users_carry_portal_claims(tmp_path):
    from tests.conftest import make_test_app

    app = make_test_app(tmp_path, **{"users.seed": True})
    with app.app_context():
        assert find_by_username("demo.provider").portal_claims["npi"] == "1234567893"


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return {
        "MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE": "fast",
        "MOCK_OHID_USERS_SEED": "false",
    }


def test_cli_users_add_and_set_claims(cli_env):
    runner = CliRunner()
    added = runner.invoke(
        main,
        [
            "users",
            "add",
            "--username",
            "cli.provider",
            "--email",
            "cli@example.com",
            "--password",
            "Password1",
            "--claims",
            '{"npi": "1234567893"}',
        ],
        env=cli_env,
    )
    assert added.exit_code == 0, added.output
    changed = runner.invoke(
        main,
        [
            "users",
            "set-claims",
            "cli.provider",
            "--tax-id",
            "123456789",
            "--tax-id",
            "98-7654321",
            "--state",
            "mn",
            "--job-function",
            "Eligibility",
            "--claim",
            "tier=3",
            "--claim",
            "region=north",
        ],
        env=cli_env,
    )
    assert changed.exit_code == 0, changed.output
    assert json.loads(changed.output) == {
        "npi": "1234567893",
        "tax_ids": ["123456789", "987654321"],
        "state": "MN",
        "job_functions": ["Eligibility"],
        "tier": 3,
        "region": "north",
    }
    unset = runner.invoke(
        main, ["users", "set-claims", "cli.provider", "--unset", "tier"], env=cli_env
    )
    assert "tier" not in json.loads(unset.output)


def test_cli_refuses_a_bad_npi_naming_the_field(cli_env):
    result = CliRunner().invoke(
        main,
        [
            "users",
            "add",
            "--username",
            "cli.provider",
            "--email",
            "cli@example.com",
            "--password",
            "Password1",
            "--claims",
            '{"npi": "1234567890"}',
        ],
        env=cli_env,
    )
    assert result.exit_code == 2
    assert "claims.npi: This NPI's check digit is wrong" in result.output
    shown = CliRunner().invoke(main, ["users", "show", "cli.provider"], env=cli_env)
    assert "no user with One Healthcare ID 'cli.provider'" in shown.output


def test_cli_set_claims_needs_something_to_set(cli_env):
    result = CliRunner().invoke(main, ["users", "set-claims", "x.user1"], env=cli_env)
    assert result.exit_code == 2 and "give at least one claim" in result.output


# --- clients.toml mapping -----------------------------------------------------------


def test_a_client_with_a_bad_mapping_is_refused(app):
    entry = {
        "client_id": "bad-map",
        "client_secret": "s3cret-bad-map",
        "redirect_uris": ["http://localhost:5010/cb"],
        "scope_claims": {"portal": ["email"]},
    }
    with pytest.raises(ClientConfigError, match="scope_claims.portal: 'email' is a standard claim"):
        register_client(entry)


# --- release --------------------------------------------------------------------------


def test_portal_scope_releases_the_mapped_claims_in_id_token_and_userinfo(client, pat):
    body = tokens(client, client_id="optum-pro", scope="openid portal")
    claims = decode_id_token(client, body["id_token"])["claims"]
    # optum-pro maps portal -> npi, provider_type, state (config/clients.toml).
    assert {k: claims.get(k) for k in ("npi", "provider_type", "state")} == {
        "npi": "1234567893",
        "provider_type": "Physician",
        "state": "MN",
    }
    assert "tax_ids" not in claims and "tier" not in claims
    info = client.get("/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert info.json["npi"] == "1234567893" and "tax_ids" not in info.json


def test_no_portal_claims_without_the_scope(client, pat):
    body = tokens(client, client_id="optum-pro", scope="openid profile")
    claims = decode_id_token(client, body["id_token"])["claims"]
    assert "npi" not in claims
    info = client.get("/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert "npi" not in info.json


def test_no_portal_claims_for_a_client_without_the_mapping(client, pat):
    body = tokens(client, client_id="provider-express", scope="openid portal")
    claims = decode_id_token(client, body["id_token"])["claims"]
    assert not set(CLAIMS) & set(claims)
    info = client.get("/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert not set(CLAIMS) & set(info.json)


def test_custom_claims_are_released_when_mapped(client, pat):
    add_client(
        client_id="custom-map",
        client_secret="s3cret-custom-map",
        redirect_uris=["http://localhost:5011/cb"],
        scope_claims={"portal": ["tier", "npi"], "profile": ["role"]},
        trusted=True,
    )
    body = tokens(client, client_id="custom-map", scope="openid profile portal")
    claims = decode_id_token(client, body["id_token"])["claims"]
    assert (claims["tier"], claims["npi"], claims["role"]) == (
        "gold",
        "1234567893",
        "Administrator",
    )


def test_refreshed_id_token_keeps_the_portal_claims(client, pat):
    body = tokens(
        client, client_id="optum-connect-claims-online", scope="openid portal offline_access"
    )
    refreshed = client.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
        auth=("optum-connect-claims-online", "claims-online-demo-secret"),
    )
    assert refreshed.status_code == 200, refreshed.json
    claims = decode_id_token(client, refreshed.json["id_token"])["claims"]
    assert claims["tax_ids"] == ["123456789", "987654321"]


def test_code_flow_releases_portal_claims_and_consent_names_them(client, sign_in, pat):
    add_client(
        client_id="asks-consent",
        client_secret="s3cret-asks-consent",
        redirect_uris=["http://localhost:5012/cb"],
        scope_claims={"portal": ["npi", "tax_ids", "tier"]},
    )
    client.patch("/_qa/users/pat.provider", json={"email_verified": True})
    start = client.get(
        authorize_url("asks-consent", "http://localhost:5012/cb", scope="openid portal")
    )
    assert "/signin" in start.headers["Location"]
    response = sign_in("pat.provider")
    assert response.headers["Location"].endswith("/consent"), response.headers["Location"]
    page = client.get("/consent").get_data(as_text=True)
    assert "Your National Provider Identifier (NPI)" in page
    assert "Your Tax IDs (TIN)" in page
    assert "Your portal attribute “tier”" in page
    assert "Your state" not in page
    code = query_of(allow_consent(client, response).headers["Location"])["code"]
    body = exchange(
        client,
        code,
        client_id="asks-consent",
        secret="s3cret-asks-consent",
        redirect_uri="http://localhost:5012/cb",
    ).json
    claims = decode_id_token(client, body["id_token"])["claims"]
    assert (claims["npi"], claims["tier"]) == ("1234567893", "gold")
