"""The nonce (OIDC Core §3.1.2.1): capped in length, checked for replay by an index."""

from __future__ import annotations

from sqlalchemy import inspect, text

from idp.bootstrap import initialize
from idp.oidc.authorize import NONCE_MAX_LENGTH
from tests.helpers import authorize_url, query_of
from tests.oidc.portal import get_code


def test_too_long_nonce_is_an_invalid_request_sent_to_the_portal(client, sign_in, user):
    sign_in("dana.provider")
    response = client.get(authorize_url(nonce="n" * (NONCE_MAX_LENGTH + 1), state="s1"))
    assert response.status_code == 302
    query = query_of(response.headers["Location"])
    assert query["error"] == "invalid_request"
    assert query["error_description"] == "'nonce' is too long: at most 512 characters."
    assert query["state"] == "s1"


def test_longest_nonce_allowed_gets_a_code(client, sign_in, user):
    query = get_code(client, sign_in, nonce="n" * NONCE_MAX_LENGTH)
    assert "code" in query


def test_nonce_replay_check_reads_the_client_nonce_index(db):
    plan = db.session.execute(
        text(
            "EXPLAIN QUERY PLAN SELECT id FROM authorization_codes "
            "WHERE client_id = :c AND nonce = :n LIMIT 1"
        ),
        {"c": "optum-pro", "n": "abc"},
    ).all()
    assert "ix_authorization_codes_client_nonce" in " ".join(str(row) for row in plan)


def test_an_older_database_gets_the_code_indexes_at_start(db):
    db.session.commit()
    with db.engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_authorization_codes_client_nonce"))
        connection.execute(text("DROP INDEX ix_authorization_codes_sid"))
    initialize()
    names = {index["name"] for index in inspect(db.engine).get_indexes("authorization_codes")}
    assert {"ix_authorization_codes_client_nonce", "ix_authorization_codes_sid"} <= names
