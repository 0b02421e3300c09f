"""Key rotation: `mock-ohid keys rotate` publishes and signs with a new key, the old
one stays in the JWKS until it retires, and running servers notice without a restart."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from click.testing import CliRunner
from joserfc import jws, jwt
from joserfc.errors import InvalidKeyIdError
from joserfc.jwk import KeySet

from idp.cli import main
from idp.extensions import get_clock, get_key_store
from tests.oidc.portal import (
    CLAIMS_ONLINE,
    add_client,
    basic_auth,
    decode_id_token,
    exchange,
    get_code,
)
from tests.oidc.test_rp_authlib import _browser_sign_in

OFFLINE = "openid profile offline_access"


def id_token_for(client, sign_in, **params):
    return exchange(client, get_code(client, sign_in, **params)["code"]).json


def published_kids(client) -> list[str]:
    return [key["kid"] for key in client.get("/.well-known/jwks.json").json["keys"]]


def rotate(hours=24, alg="RS256"):
    return get_key_store().rotate(alg, get_clock().now(), timedelta(hours=hours))


def test_token_signed_before_rotation_still_verifies(client, sign_in, user):
    before = id_token_for(client, sign_in)["id_token"]
    old_kid = decode_id_token(client, before)["header"]["kid"]
    new_key = rotate()
    assert old_kid in published_kids(client) and new_key.kid in published_kids(client)
    assert decode_id_token(client, before)["claims"]["sub"] == user.sub


def test_new_tokens_carry_the_new_kid(client, sign_in, user):
    before = id_token_for(client, sign_in, scope=OFFLINE)
    new_key = rotate()
    after = id_token_for(client, sign_in)["id_token"]
    assert decode_id_token(client, after)["header"]["kid"] == new_key.kid
    refreshed = client.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": before["refresh_token"]},
        headers=basic_auth(*CLAIMS_ONLINE[:2]),
    ).json
    assert decode_id_token(client, refreshed["id_token"])["header"]["kid"] == new_key.kid


def test_old_key_leaves_the_jwks_after_its_retirement(client, sign_in, user, clock):
    before = id_token_for(client, sign_in)["id_token"]
    old_kid = decode_id_token(client, before)["header"]["kid"]
    rotate(hours=24)
    clock.advance(hours=23)
    assert old_kid in published_kids(client)
    clock.advance(hours=2)
    assert old_kid not in published_kids(client)
    keys = KeySet.import_key_set(client.get("/.well-known/jwks.json").json)
    with pytest.raises(InvalidKeyIdError):
        jwt.decode(before, keys, algorithms=["RS256"])


def test_es256_client_gets_es256_tokens_from_the_rotated_es256_key(client, sign_in, user):
    add_client(
        client_id="ec-portal",
        client_secret="ec-secret-0123456789",
        redirect_uris=["http://localhost:5050/cb"],
        id_token_signed_response_alg="ES256",
        trusted=True,
    )
    new_key = rotate(alg="ES256")
    query = get_code(
        client, sign_in, client_id="ec-portal", redirect_uri="http://localhost:5050/cb"
    )
    body = exchange(
        client,
        query["code"],
        client_id="ec-portal",
        secret="ec-secret-0123456789",
        redirect_uri="http://localhost:5050/cb",
    ).json
    header = decode_id_token(client, body["id_token"])["header"]
    assert header == {"alg": "ES256", "kid": new_key.kid, "typ": "JWT"}


def test_running_server_picks_up_a_cli_rotation_without_restart(live_server, tmp_path):
    issuer = live_server.url
    before = requests.get(f"{issuer}/.well-known/jwks.json", timeout=5).json()["keys"]
    result = CliRunner().invoke(
        main,
        ["keys", "rotate", "--retire-after-hours", "1"],
        env={
            "MOCK_OHID_KEYS_DIR": str(tmp_path / "keys"),
            "MOCK_OHID_DATABASE_URL": f"sqlite:///{tmp_path / 'mock-ohid.db'}",
            "MOCK_OHID_SERVER_INSTANCE_DIR": str(tmp_path / "instance"),
        },
    )
    assert result.exit_code == 0, result.output
    new_kid = result.output.split("New RS256 signing key: ")[1].split()[0]
    after = requests.get(f"{issuer}/.well-known/jwks.json", timeout=5).json()["keys"]
    assert {k["kid"] for k in before} < {k["kid"] for k in after}
    assert new_kid in {k["kid"] for k in after}

    browser = requests.Session()
    url = (
        f"{issuer}/authorize?response_type=code&client_id=optum-connect-claims-online"
        "&redirect_uri=http://localhost:5001/callback&scope=openid"
    )
    callback = _browser_sign_in(browser, url, "demo.provider", "Password1")
    code = callback.split("code=")[1].split("&")[0]
    token = requests.post(
        f"{issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://localhost:5001/callback",
        },
        auth=("optum-connect-claims-online", "claims-online-demo-secret"),
        timeout=5,
    ).json()
    header = jws.extract_compact(token["id_token"].encode()).headers()
    assert header["kid"] == new_kid
