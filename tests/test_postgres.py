"""The PostgreSQL path: a throw-away cluster (initdb in a temp dir, a free port on 127.0.0.1).

Debian keeps initdb and postgres in its versioned lib folder, off PATH; they are
found there. As root (CI), the cluster runs as the `postgres` system user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from idp.extensions import db
from idp.lifecycle.accounts import create_account
from idp.models import User

from .conftest import make_test_app
from .oidc.portal import decode_id_token, exchange, get_code


def _server_binaries() -> tuple[str, str] | None:
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        initdb, postgres = Path(folder, "initdb"), Path(folder, "postgres")
        if initdb.exists() and postgres.exists():
            return str(initdb), str(postgres)
    initdb, postgres = shutil.which("initdb"), shutil.which("postgres")
    return (initdb, postgres) if initdb and postgres else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        _server_binaries() is None,
        reason="PostgreSQL server binaries (initdb, postgres) are not installed",
    ),
    pytest.mark.skipif(
        os.geteuid() == 0 and shutil.which("runuser") is None,
        reason="running as root without runuser to start PostgreSQL as another user",
    ),
]


@pytest.fixture(scope="module")
def postgres_url():
    initdb, postgres = _server_binaries()
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    workdir = Path(tempfile.mkdtemp(prefix="mock-ohid-pg-"))
    if as_root:
        shutil.chown(workdir, user="postgres")
    data = workdir / "data"
    subprocess.run(
        [*prefix, initdb, "-D", str(data), "-U", "ohid", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            *prefix,
            postgres,
            "-D",
            str(data),
            "-p",
            str(port),
            "-h",
            "127.0.0.1",
            "-k",
            str(workdir),
            "-c",
            "fsync=off",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"postgresql+psycopg://ohid@127.0.0.1:{port}/postgres"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("PostgreSQL did not start") from None
                time.sleep(0.1)
        time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def pg_app(tmp_path, postgres_url):
    app = make_test_app(tmp_path, **{"database.url": postgres_url})
    with app.app_context():
        yield app
        db.session.remove()
        db.drop_all()
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
    from .helpers import SignIn

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
                create_account(
                    username=f"race.user{n}", email="race@example.com", password="Password1"
                )
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
    assert sorted(outcomes) == ["EmailInUse", "created"]
    assert db.session.query(User).filter_by(email_key="race@example.com").count() == 1


def test_qa_reset_on_postgresql(pg_app):
    client = pg_app.test_client()
    client.post(
        "/_qa/users",
        json={"username": "pg.user3", "email": "pg3@example.com", "password": "Password1"},
    )
    assert client.post("/_qa/reset").json["reset"] is True
    assert client.get("/_qa/users/pg.user3").status_code == 404
