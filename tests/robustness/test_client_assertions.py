"""private_key_jwt: short-lived assertions only, each jti refused until it expires
(in real time), and a client whose keys cannot be read is invalid_client, not a 500."""

from __future__ import annotations

import time

import pytest

from idp.store.models import ClientAssertion
from tests.oidc.portal import add_client
from tests.oidc.receiver import portal_backend
from tests.oidc.test_tokens import assertion, jwt_auth, rp_key  # noqa: F401 - fixture

CREDENTIALS = {"grant_type": "client_credentials"}


@pytest.fixture
def service(app, rp_key):  # noqa: F811
    return add_client(
        client_id="pkjwt-service",
        redirect_uris=["http://localhost:5021/cb"],
        token_endpoint_auth_method="private_key_jwt",
        grant_types=["client_credentials"],
        jwks={"keys": [rp_key.as_dict(private=False)]},
    )


def token_with(client, signed):
    return client.post("/token", data={**CREDENTIALS, **jwt_auth(signed)})


def test_assertion_living_longer_than_five_minutes_is_refused(client, service, rp_key):  # noqa: F811
    moment = int(time.time())
    signed = assertion(rp_key, "pkjwt-service", iat=moment, exp=moment + 301)
    response = token_with(client, signed)
    assert response.json["error"] == "invalid_client"
    assert "at most 300 seconds" in response.json["error_description"]


def test_far_exp_with_a_faked_recent_iat_is_refused(client, service, rp_key):  # noqa: F811
    moment = int(time.time())
    signed = assertion(rp_key, "pkjwt-service", iat=moment + 3000, exp=moment + 3200)
    response = token_with(client, signed)
    assert response.json["error"] == "invalid_client"
    assert "at most 300 seconds" in response.json["error_description"]


def test_assertion_within_the_cap_is_accepted(client, service, rp_key):  # noqa: F811
    moment = int(time.time())
    signed = assertion(rp_key, "pkjwt-service", iat=moment, exp=moment + 300)
    response = token_with(client, signed)
    assert response.status_code == 200, response.json


def test_jti_is_remembered_until_exp_even_when_the_qa_clock_jumps(
    client,
    clock,
    service,
    rp_key,  # noqa: F811
):
    signed = assertion(rp_key, "pkjwt-service")
    assert token_with(client, signed).status_code == 200
    # The QA clock moves what the mock enforces, not the lifetime of a real-time token.
    clock.advance(days=1)
    replay = token_with(client, signed)
    assert replay.json["error"] == "invalid_client"
    assert "used before" in replay.json["error_description"]


def test_used_jti_is_kept_until_the_assertion_exp(client, db, service, rp_key):  # noqa: F811
    moment = int(time.time())
    assert (
        token_with(client, assertion(rp_key, "pkjwt-service", exp=moment + 240)).status_code == 200
    )
    row = db.session.execute(db.select(ClientAssertion)).scalar_one()
    # exp plus Authlib's 60-second leeway, in real time.
    assert abs(row.expires_at.timestamp() - (moment + 240 + 60)) < 2


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"{}", 200), (b"[1, 2]", 200), (b"not json", 200), (b"{}", 500)],
    ids=["no-keys", "a-list", "not-json", "server-error"],
)
def test_jwks_uri_without_usable_keys_is_invalid_client(client, rp_key, body, status):  # noqa: F811
    with portal_backend(get_body=body, status=status) as (base_url, _posts):
        add_client(
            client_id="uri-service",
            redirect_uris=["http://localhost:5022/cb"],
            token_endpoint_auth_method="private_key_jwt",
            grant_types=["client_credentials"],
            jwks_uri=f"{base_url}/jwks.json",
        )
        response = token_with(client, assertion(rp_key, "uri-service"))
    assert response.status_code in (400, 401)
    assert response.json["error"] == "invalid_client"
    assert "The client's keys cannot be read" in response.json["error_description"]


def test_unreachable_jwks_uri_is_invalid_client(client, rp_key, unused_port):  # noqa: F811
    add_client(
        client_id="gone-service",
        redirect_uris=["http://localhost:5023/cb"],
        token_endpoint_auth_method="private_key_jwt",
        grant_types=["client_credentials"],
        jwks_uri=f"http://localhost:{unused_port}/jwks.json",
    )
    response = token_with(client, assertion(rp_key, "gone-service"))
    assert response.json["error"] == "invalid_client"
    assert "The client's keys cannot be read" in response.json["error_description"]
