"""Fixtures: app, client, db, clock, outbox, user factory, sign-in helper, live server.

Each test gets its own SQLite file and keys folder in ``tmp_path``, copied from a
template made once per session (schema and signing keys), so no test pays for
making the schema or RSA key generation. The ``app`` fixture reuses one Flask app
per set of settings and points it at the test's folder: building an app
(routes, templates, SQL statements compiled) costs more than most tests.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from flask import Flask, g
from jinja2 import BytecodeCache
from sqlalchemy import event
from werkzeug.serving import make_server

from idp import create_app
from idp.bootstrap import initialize
from idp.extensions import get_clock, get_key_store
from idp.oidc.keys import KeyStore
from idp.store import db as _db
from idp.store.migrate import bring_to_head
from tests.factories import UserFactory
from tests.helpers import ClockControl, Outbox, SignIn
from tests.postgres import postgres_cluster

pytest_plugins = ["pytester"]

DB_NAME = "mock-ohid.db"
_template_dir: Path | None = None


class _SharedBytecode(BytecodeCache):
    """Compiled templates kept for the whole session: every test builds a new app,
    and without this each one would compile the same templates again."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self._code[bucket.key] = bucket.bytecode_to_string()


_bytecode = _SharedBytecode()


def _template() -> Path:
    """A folder with an empty schema and a set of signing keys, made on first use."""
    global _template_dir
    if _template_dir is None:
        folder = Path(tempfile.mkdtemp(prefix="mock-ohid-template-"))
        atexit.register(shutil.rmtree, folder, True)
        app = create_app(overrides=_base_settings(folder), environ={})
        with app.app_context():
            bring_to_head(_db.engine)
            get_key_store().ensure_keys(get_clock().now())
            _db.session.remove()
            # Closing the last connection checkpoints the WAL into the file.
            _db.engine.dispose()
        _template_dir = folder
    return _template_dir


def _base_settings(folder: Path) -> dict:
    return {
        "database.url": f"sqlite:///{folder / DB_NAME}",
        "keys.dir": str(folder / "keys"),
        "server.instance_dir": str(folder / "instance"),
        "security.password_hash_profile": "fast",
        "users.seed": False,
    }


def make_test_app(tmp_path, **overrides):
    """An app on its own SQLite file and key folder, with fast hashing."""
    template = _template()
    # A second app on the same folder (a restart) finds what the first one left.
    if "database.url" not in overrides and not (tmp_path / DB_NAME).exists():
        shutil.copyfile(template / DB_NAME, tmp_path / DB_NAME)
    if "keys.dir" not in overrides and not (tmp_path / "keys").exists():
        shutil.copytree(template / "keys", tmp_path / "keys")
    settings = _base_settings(tmp_path)
    settings.update(overrides)
    app = create_app(overrides=settings, environ={})
    app.config["TESTING"] = True
    app.jinja_env.bytecode_cache = _bytecode

    @app.before_request
    def _fresh_g():
        # Tests hold one app context open, so Flask reuses its `g` across
        # requests; a real server gets a new one per request. Start clean.
        for name in list(g):
            g.pop(name)

    with app.app_context():
        initialize()
    return app


@pytest.fixture
def app_overrides():
    """Override to change settings for a test module: return a dict of settings."""
    return {}


def _copy_template(folder: Path) -> None:
    template = _template()
    shutil.copyfile(template / DB_NAME, folder / DB_NAME)
    shutil.copytree(template / "keys", folder / "keys")


_apps: dict[str, Flask] = {}
SQLITE_FILE = "tests.sqlite_file"


def _reusable_app(overrides: dict) -> Flask:
    """One app per set of settings; its engine connects to the file the test names."""
    key = repr(sorted(overrides.items()))
    if key not in _apps:
        home = Path(tempfile.mkdtemp(prefix="mock-ohid-app-"))
        atexit.register(shutil.rmtree, home, True)
        app = make_test_app(home, **overrides)
        app.extensions[SQLITE_FILE] = str(home / DB_NAME)
        with app.app_context():

            @event.listens_for(_db.engine, "do_connect")
            def _connect_to_current_file(_dialect, _record, cargs, _cparams):
                cargs[0] = app.extensions[SQLITE_FILE]

        _apps[key] = app
    return _apps[key]


@pytest.fixture
def app(tmp_path, app_overrides):
    if "database.url" in app_overrides or "keys.dir" in app_overrides:
        app = make_test_app(tmp_path, **app_overrides)
    else:
        app = _reusable_app(app_overrides)
        _copy_template(tmp_path)
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()
        app.extensions[SQLITE_FILE] = str(tmp_path / DB_NAME)
        app.extensions["mock_ohid.keys"] = KeyStore(tmp_path / "keys")
        with app.app_context():
            initialize()
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def clock(app):
    return ClockControl(app)


@pytest.fixture
def outbox(app):
    """The emails, texts and calls sent so far: ``outbox.one(purpose="mfa")``."""
    return Outbox()


@pytest.fixture
def user_factory(app):
    return UserFactory()


@pytest.fixture
def user(user_factory):
    return user_factory("with_phone", username="dana.provider", email="dana@example.com")


@pytest.fixture
def sign_in(client):
    return SignIn(client)


class LiveServer:
    def __init__(self, app, port):
        self.app = app
        self.port = port
        self.url = f"http://localhost:{port}"


@pytest.fixture
def live_server(tmp_path, unused_port):
    """A real HTTP server on 127.0.0.1 (browsed as localhost), stopped after the test."""
    issuer = f"http://localhost:{unused_port}"
    app = make_test_app(
        tmp_path, **{"server.issuer": issuer, "server.port": unused_port, "users.seed": True}
    )
    server = make_server("127.0.0.1", unused_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, unused_port)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            _db.engine.dispose()


@pytest.fixture(scope="module")
def postgres_url():
    """A throw-away PostgreSQL cluster for the module (see tests/postgres.py)."""
    with postgres_cluster() as url:
        yield url


@pytest.fixture
def unused_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
