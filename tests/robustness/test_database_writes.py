"""A full disk or a read-only database: a 503 naming the cause, /healthz saying
so, and everything back once there is room again. SQLite's ``max_page_count``
fails a write exactly as a full disk does (SQLITE_FULL); PostgreSQL's
``default_transaction_read_only`` stands in for a server that takes no writes."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from idp.web.health import _sqlite_folder, database_unwritable
from tests.conftest import make_test_app
from tests.helpers import authorize_url
from tests.postgres import NEEDS_POSTGRES, drop_tables


@contextmanager
def on_every_connection(db, statement: dict):
    """Run ``statement["sql"]`` (changeable while the block runs) on each new connection."""

    def run(dbapi_connection, _record):
        if statement.get("sql"):
            cursor = dbapi_connection.cursor()
            cursor.execute(statement["sql"])
            cursor.close()
            # PostgreSQL: a SET inside a transaction that is rolled back is undone.
            dbapi_connection.commit()

    event.listen(db.engine, "connect", run)
    try:
        yield lambda: (db.session.remove(), db.engine.dispose())
    finally:
        event.remove(db.engine, "connect", run)
        db.session.remove()
        db.engine.dispose()


def _user(n: int) -> dict:
    return {"username": f"disk.user{n}", "email": f"disk{n}@example.com", "password": "Password1"}


def _expected_folder(app) -> str:
    return _sqlite_folder(app.extensions["mock_ohid.settings"].database.url)[1]


def test_full_database_gets_a_503_naming_the_cause_and_recovers(app, client, db):
    limit: dict = {}
    with on_every_connection(db, limit) as reconnect:
        pages = db.session.execute(text("PRAGMA page_count")).scalar()
        limit["sql"] = f"PRAGMA max_page_count = {pages}"
        reconnect()
        for n in range(500):
            response = client.post("/_qa/users", json=_user(n))
            if response.status_code != 201:
                break
        detail = f"the database cannot be written: free disk space under {_expected_folder(app)}"
        assert response.status_code == 503
        assert response.json == {"error": "service_unavailable", "detail": detail}
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json["database"] == detail and health.json["status"] == "unavailable"

        # Space is back: the same write works, and /healthz says so.
        limit["sql"] = "PRAGMA max_page_count = 1073741823"
        reconnect()
        assert client.post("/_qa/users", json=_user(n)).status_code == 201
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json["database"] == "ok"


def test_read_only_database_shows_a_503_page_to_a_person(app, client, db, sign_in, user):
    with on_every_connection(db, {"sql": "PRAGMA query_only = ON"}) as reconnect:
        reconnect()
        # The authorization request is kept in the browser; the password's try is a write.
        client.get(authorize_url())
        page = sign_in("dana.provider")
        assert page.status_code == 503
        html = page.get_data(as_text=True)
        assert "The database cannot be written:" in html and "is read-only" in html
        assert "Traceback" not in html
        assert "is read-only" in client.get("/healthz").json["database"]
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(
    ("error", "url", "detail"),
    [
        (
            sqlite3.OperationalError("database or disk is full"),
            "sqlite:///instance/mock-ohid.db",
            "the database cannot be written: free disk space under instance/",
        ),
        (
            sqlite3.OperationalError("attempt to write a readonly database"),
            "sqlite:///instance/mock-ohid.db",
            "the database cannot be written: instance/mock-ohid.db is read-only",
        ),
        (
            sqlite3.OperationalError("disk I/O error"),
            "sqlite:///instance/mock-ohid.db",
            "the database cannot be written: disk I/O error (is the disk under instance/ full?)",
        ),
        (
            sqlite3.OperationalError("database or disk is full"),
            "sqlite:///mock-ohid.db",
            "the database cannot be written: free disk space under the current folder",
        ),
        (sqlite3.OperationalError("no such table: users"), "sqlite:///x.db", None),
    ],
)
def test_the_cause_is_named_in_the_newcomers_words(error, url, detail):
    exc = OperationalError("INSERT INTO users ...", {}, error)
    assert database_unwritable(exc, url) == detail


class TestPostgreSQL:
    pytestmark = NEEDS_POSTGRES

    def test_read_only_postgresql_gets_a_503_naming_the_cause_and_recovers(
        self, tmp_path, postgres_url
    ):
        from idp.store import db

        app = make_test_app(tmp_path, **{"database.url": postgres_url})
        client = app.test_client()
        with app.app_context():
            try:
                mode: dict = {"sql": "SET default_transaction_read_only = on"}
                with on_every_connection(db, mode) as reconnect:
                    reconnect()
                    response = client.post("/_qa/users", json=_user(1))
                    detail = "the database cannot be written: the database server is read-only"
                    assert response.status_code == 503
                    assert response.json == {"error": "service_unavailable", "detail": detail}
                    assert client.get("/healthz").json["database"] == detail
                    mode["sql"] = None
                    reconnect()
                    assert client.post("/_qa/users", json=_user(1)).status_code == 201
                    assert client.get("/healthz").status_code == 200
            finally:
                db.session.remove()
                drop_tables(db)
                db.engine.dispose()
