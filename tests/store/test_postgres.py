"""The PostgreSQL path, on a throw-away cluster (tests/postgres.py)."""

from __future__ import annotations

import threading

import pytest

from idp.lifecycle.accounts import create_account
from idp.store import db
from idp.store.models import User
from idp.store.units import finish_unit
from tests.conftest import make_test_app
from tests.oidc.portal import decode_id_token, exchange, get_code
from tests.postgres import NEEDS_POSTGRES, drop_tables

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
    from tests.helpers import SignIn

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
