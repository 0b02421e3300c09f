"""The QA clock moves what the mock enforces; timestamps in tokens stay real (SPEC §5.1)."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from idp.crypto.digests import token_digest
from idp.store.models import AuthorizationCode, SsoSession
from tests.oidc.portal import (
    CLAIMS_ONLINE,
    add_client,
    basic_auth,
    decode_id_token,
    exchange,
    get_code,
)
from tests.oidc.receiver import portal_backend
from tests.oidc.test_tokens import bearer, offline_tokens, refresh

OFFSETS = {
    "31 minutes on": {"minutes": 31},
    "91 days on": {"days": 91},
    "2 days back": {"days": -2},
}


def _real_now() -> int:
    return int(time.time())


def _assert_real(stamp: int) -> None:
    assert abs(stamp - _real_now()) < 60, stamp


@pytest.mark.parametrize("offset", OFFSETS.values(), ids=OFFSETS.keys())
def test_id_token_timestamps_are_real_after_a_clock_move(
    client, sign_in, user_factory, clock, offset
):
    clock.advance(**offset)
    # Made after the move, so 91 days on are not 91 days without a sign-in.
    user_factory(username="dana.provider", email="dana@example.com")
    body = exchange(client, get_code(client, sign_in, nonce="n")["code"]).json
    claims = decode_id_token(client, body["id_token"])["claims"]
    for name in ("iat", "auth_time"):
        _assert_real(claims[name])
    assert claims["exp"] == claims["iat"] + 3600


def test_auth_time_stays_the_real_sign_in_time_when_the_clock_moves_after(
    client, sign_in, user, clock
):
    first = decode_id_token(
        client, exchange(client, get_code(client, sign_in)["code"]).json["id_token"]
    )
    clock.advance(minutes=20)
    query = get_code(client, sign_in)  # the SSO session (30 idle minutes) is still on
    second = decode_id_token(client, exchange(client, query["code"]).json["id_token"])
    assert second["claims"]["auth_time"] == first["claims"]["auth_time"]
    _assert_real(second["claims"]["iat"])


def _code_row(db, code: str) -> AuthorizationCode:
    return db.session.query(AuthorizationCode).filter_by(code_hash=token_digest(code)).one()


def test_auth_time_is_the_real_sign_in_time_its_sso_session_holds(client, sign_in, user, db):
    code = get_code(client, sign_in)["code"]
    session = db.session.get(SsoSession, _code_row(db, code).sid)
    session.real_auth_time = _real_now() - 500
    db.session.commit()
    claims = decode_id_token(client, exchange(client, code).json["id_token"])["claims"]
    assert claims["auth_time"] == session.real_auth_time


def test_auth_time_without_its_sso_session_is_the_codes_shifted_back_by_the_clock(
    client, sign_in, user, db, clock
):
    clock.advance(minutes=20)
    code = get_code(client, sign_in)["code"]
    row = _code_row(db, code)
    db.session.delete(db.session.get(SsoSession, row.sid))
    db.session.commit()
    claims = decode_id_token(client, exchange(client, code).json["id_token"])["claims"]
    assert claims["auth_time"] == row.auth_time - 20 * 60
    _assert_real(claims["auth_time"])


def test_refreshed_id_token_is_real_time_after_91_days(client, sign_in, user, clock):
    tokens = offline_tokens(client, sign_in)
    clock.advance(days=20)  # the refresh token lives 30 days on the mock's clock
    response = refresh(client, tokens["refresh_token"])
    assert response.status_code == 200, response.json
    claims = decode_id_token(client, response.json["id_token"])["claims"]
    _assert_real(claims["iat"])
    _assert_real(claims["auth_time"])


def test_moved_clock_still_expires_access_tokens(client, sign_in, user, clock):
    body = exchange(client, get_code(client, sign_in)["code"]).json
    clock.advance(minutes=61)
    response = client.get("/userinfo", headers=bearer(body["access_token"]))
    assert response.status_code == 401


def test_introspection_timestamps_are_real_and_keep_the_time_left(client, sign_in, user, clock):
    body = exchange(client, get_code(client, sign_in)["code"]).json
    clock.advance(minutes=31)
    answer = client.post(
        "/introspect", data={"token": body["access_token"]}, headers=basic_auth(*CLAIMS_ONLINE[:2])
    ).json
    assert answer["active"] is True
    # 60 minutes of life, 31 spent on the mock's clock: 29 left, in real time,
    # and issued 31 minutes before the real now (never in the future).
    assert abs(answer["exp"] - (_real_now() + 29 * 60)) < 60
    assert answer["exp"] - answer["iat"] == 3600


def test_logout_token_timestamps_are_real_after_a_clock_move(client, sign_in, user, clock):
    with portal_backend() as (base_url, posts):
        add_client(
            client_id="bc-clock",
            client_secret="bc-clock-secret-0123",
            redirect_uris=["http://localhost:5031/cb"],
            backchannel_logout_uri=f"{base_url}/bc",
            trusted=True,
        )
        query = get_code(
            client, sign_in, client_id="bc-clock", redirect_uri="http://localhost:5031/cb"
        )
        id_token = exchange(
            client,
            query["code"],
            client_id="bc-clock",
            secret="bc-clock-secret-0123",
            redirect_uri="http://localhost:5031/cb",
        ).json["id_token"]
        clock.advance(minutes=20)
        client.get("/end_session?" + urlencode({"id_token_hint": id_token}))
    assert len(posts) == 1
    keys = KeySet.import_key_set(client.get("/.well-known/jwks.json").json)
    claims = jwt.decode(posts[0]["form"]["logout_token"], keys, algorithms=["RS256"]).claims
    _assert_real(claims["iat"])
    assert claims["exp"] - claims["iat"] == 120
