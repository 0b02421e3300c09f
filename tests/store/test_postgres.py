"""The PostgreSQL path, on a throw-away cluster (tests/postgres.py)."""

from __future__ import annotations

import threading

import pytest

from idp.lifecycle.accounts import create_account
from idp.store import db
from idp.store.models import User
from idp.store.units import finish_unit
from tests.conftest import make_test_app
from tests.helpers import SignIn
from tests.oidc.portal import add_client, decode_id_token, exchange, get_code
from tests.oidc.test_tokens import assertion, code_request, jwt_auth
from tests.postgres import NEEDS_POSTGRES, drop_tables
from tests.races.test_oidc import (
    _race,
    assert_only_the_rivals_token_is_left_revoked,
    exchange_losing_the_claim,
    race_first_consents,
)
from tests.web.test_browser_interaction import password_sent_twice

pytestmark = NEEDS_POSTGRES


@pytest.fixture
def pg_app(tmp_path, postgres_url):
    app = make_test_app(tmp_path, **{"database.url": postgres_url})
    with app.app_context():
        yield app
        db.session.remove()
        drop_tables(db)
        db.engine.dispose()


def test_portal_login_on_postgresql(pg_app):
    client = pg_app.test_client()
    create_account(
        username="pg.user1",
        email="pg@example.com",
        password="Password1",
        first_name="Pat",
        last_name="Gres",
        email_verified=True,
    )
    finish_unit()
    query = get_code(client, SignIn(client), username="pg.user1", nonce="pg-nonce")
    claims = decode_id_token(client, exchange(client, query["code"]).json["id_token"])["claims"]
    assert claims["preferred_username"] == "pg.user1" and claims["nonce"] == "pg-nonce"


def test_times_round_trip_as_aware_utc_on_postgresql(pg_app):
    user = create_account(username="pg.user2", email="pg2@example.com", password="Password1")
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.created_at.tzinfo is not None and stored.created_at.utcoffset().seconds == 0


def test_racing_registrations_leave_one_account_on_postgresql(pg_app):
    outcomes = []

    def register(n):
        with pg_app.app_context():
            try:
                # Emails may be shared (SPEC §3.2): the race is for one username.
                create_account(
                    username="race.user", email=f"race{n}@example.com", password="Password1"
                )
                finish_unit()
                outcomes.append("created")
            except Exception as exc:  # noqa: BLE001 - the loser's domain error is recorded
                outcomes.append(type(exc).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["UsernameTaken", "created"]
    assert db.session.query(User).filter_by(username_key="race.user").count() == 1


def test_qa_reset_on_postgresql(pg_app):
    client = pg_app.test_client()
    client.post(
        "/_qa/users",
        json={"username": "pg.user3", "email": "pg3@example.com", "password": "Password1"},
    )
    assert client.post("/_qa/reset", json={}).json["reset"] is True
    assert client.get("/_qa/users/pg.user3").status_code == 404


def test_racing_uses_of_one_client_assertion_have_one_winner_on_postgresql(pg_app):
    from joserfc.jwk import RSAKey

    key = RSAKey.generate_key(2048, parameters={"kid": "rp-key-1"}, private=True)
    add_client(
        client_id="pkjwt-portal",
        redirect_uris=["http://localhost:5011/cb"],
        token_endpoint_auth_method="private_key_jwt",
        jwks={"keys": [key.as_dict(private=False)]},
        trusted=True,
    )
    create_account(
        username="pg.user5", email="pg5@example.com", password="Password1", email_verified=True
    )
    client = pg_app.test_client()
    codes = [
        get_code(
            client,
            SignIn(client),
            username="pg.user5",
            client_id="pkjwt-portal",
            redirect_uri="http://localhost:5011/cb",
        )["code"]
        for _ in range(2)
    ]
    signed = assertion(key, "pkjwt-portal")
    barrier = threading.Barrier(2)
    responses = []

    def use(code):
        racer = pg_app.test_client()
        barrier.wait()
        responses.append(racer.post("/token", data={**code_request(code), **jwt_auth(signed)}))

    threads = [threading.Thread(target=use, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(r.status_code for r in responses)
    assert statuses[0] == 200 and statuses[1] in (400, 401), [r.json for r in responses]
    assert max(responses, key=lambda r: r.status_code).json["error"] == "invalid_client"


def test_racing_first_consents_merge_into_one_grant_on_postgresql(pg_app):
    user = create_account(username="pg.user6", email="pg6@example.com", password="Password1")
    finish_unit()
    assert race_first_consents(pg_app, user.id) == ["email", "phone"]


def _pg_code(pg_app, username: str) -> str:
    create_account(
        username=username,
        email=f"{username}@example.com",
        password="Password1",
        email_verified=True,
    )
    finish_unit()
    client = pg_app.test_client()
    return get_code(client, SignIn(client), username=username)["code"]


def test_racing_exchanges_of_one_code_have_one_winner_on_postgresql(pg_app):
    code = _pg_code(pg_app, "pg.user7")
    responses = _race(pg_app, lambda c: exchange(c, code))
    assert sorted(r.status_code for r in responses) == [200, 400]
    assert next(r for r in responses if r.status_code == 400).json["error"] == "invalid_grant"
    assert_only_the_rivals_token_is_left_revoked(
        pg_app.test_client(), db, next(r for r in responses if r.status_code == 200)
    )


def test_exchange_losing_its_claim_writes_no_token_on_postgresql(pg_app, monkeypatch):
    code = _pg_code(pg_app, "pg.user8")
    client = pg_app.test_client()
    loser, rival = exchange_losing_the_claim(pg_app, client, code, monkeypatch)
    assert loser.status_code == 400 and loser.json["error"] == "invalid_grant"
    assert_only_the_rivals_token_is_left_revoked(client, db, rival)


def test_a_form_sent_twice_writes_the_interaction_once_on_postgresql(pg_app, monkeypatch):
    create_account(username="pg.user9", email="pg9@example.com", password="Password1")
    finish_unit()
    answer, sign_in = password_sent_twice(pg_app, monkeypatch, "pg.user9")
    assert answer.headers["Location"].endswith("/register/verify-email")
    assert sign_in["user_id"]
