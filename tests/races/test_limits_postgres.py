"""The input bounds on PostgreSQL, which (unlike SQLite) refuses to store NUL."""

from __future__ import annotations

import pytest

from idp.store import db
from idp.store.models import OAuth2Client, User
from tests.conftest import make_test_app
from tests.helpers import authorize_url
from tests.postgres import NEEDS_POSTGRES, drop_tables

pytestmark = NEEDS_POSTGRES
REDIRECT = "http://localhost:9000/cb"
NUL_SENTENCE = "The request contains a NUL character (0x00), which is never valid here."


@pytest.fixture
def pg_client(tmp_path, postgres_url):
    app = make_test_app(tmp_path, **{"database.url": postgres_url, "server.max_request_kb": 16})
    with app.app_context():
        yield app.test_client()
        db.session.remove()
        drop_tables(db)
        db.engine.dispose()


def test_registration_bounds_and_body_cap_on_postgresql(pg_client):
    too_long = pg_client.post(
        "/register", json={"redirect_uris": [REDIRECT], "client_name": "n" * 201}
    )
    assert too_long.status_code == 400
    assert too_long.json["error_description"] == "client_name is too long: at most 200 characters."
    too_big = pg_client.post(
        "/register", json={"redirect_uris": [REDIRECT], "client_name": "n" * 20_000}
    )
    assert too_big.status_code == 413
    deep = pg_client.post(
        "/register", data="[" * 1000 + "]" * 1000, content_type="application/json"
    )
    assert deep.status_code == 400
    assert db.session.query(OAuth2Client).filter_by(source="dynamic").count() == 0


def test_nul_in_a_client_name_is_invalid_client_metadata_on_postgresql(pg_client):
    response = pg_client.post(
        "/register", json={"redirect_uris": [REDIRECT], "client_name": "P\x00"}
    )
    assert response.status_code == 400
    assert response.json == {
        "error": "invalid_client_metadata",
        "error_description": "client_name must not contain control or invisible characters.",
    }


def test_nul_in_a_looked_up_value_is_a_400_in_the_callers_shape_on_postgresql(pg_client):
    token = pg_client.post(
        "/token",
        data={"grant_type": "client_credentials", "client_id": "x\x00", "client_secret": "s"},
    )
    assert token.status_code == 400
    assert token.json == {"error": "invalid_request", "error_description": NUL_SENTENCE}
    page = pg_client.get(authorize_url(client_id="x\x00"))
    assert page.status_code == 400
    assert "Something you sent cannot be used" in page.get_data(as_text=True)


def test_look_alike_username_is_refused_on_postgresql(pg_client):
    response = pg_client.post(
        "/_qa/users",
        json={
            "username": "d\u0435mo.user1",
            "email": "lookalike@example.com",
            "password": "Password1",
        },
    )
    assert response.status_code == 400 and "No letters with accents" in response.json["detail"]
    assert db.session.query(User).count() == 0


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_nul_in_a_name_is_refused_by_the_name_rule_on_postgresql(pg_client, field):
    body = {"username": "nul.user1", "email": "nul@example.com", "password": "Password1"}
    body[field] = "Pat\x00"
    response = pg_client.post("/_qa/users", json=body)
    assert response.status_code == 400
    assert "Use letters, spaces and punctuation only." in response.json["detail"]
