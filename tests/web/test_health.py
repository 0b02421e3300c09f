"""GET /healthz: 200 with database and key status; 503 naming what is broken."""

from __future__ import annotations

from idp import create_app
from idp.store import db


def test_healthy_server_says_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "keys": "ok"}


def test_missing_signing_key_is_a_503_naming_it(app, client, tmp_path):
    for path in (tmp_path / "keys").glob("*.json"):
        if '"RS256"' in path.read_text():
            path.unlink()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["keys"] == "no usable RS256 signing key"
    assert response.json["database"] == "ok" and response.json["status"] == "unavailable"


def test_unreadable_signing_key_is_a_503(app, client, tmp_path):
    next((tmp_path / "keys").glob("*.json")).write_text("{not json")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["keys"].startswith("no usable")


def test_unreachable_database_is_a_503(app, tmp_path, unused_port):
    # Keys in place, but a database URL where nothing listens.
    broken = create_app(
        overrides={
            "database.url": f"postgresql+psycopg://mock:mock@127.0.0.1:{unused_port}/mock",
            "keys.dir": str(tmp_path / "keys"),
            "server.instance_dir": str(tmp_path / "instance"),
        },
        environ={},
    )
    with broken.app_context():
        response = broken.test_client().get("/healthz")
        db.engine.dispose()
    assert response.status_code == 503
    assert response.json["database"] == "unreachable (OperationalError)"
    assert response.json["keys"] == "ok"


def test_healthz_takes_only_get(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response.json["error"] == "method_not_allowed"
