"""Fixtures: app, client, db, clock, user factory, sign-in helper, live server."""

from __future__ import annotations

import threading

import pytest
from flask import g
from werkzeug.serving import make_server

from idp import create_app
from idp.bootstrap import initialize
from idp.clock_store import save_clock_offset
from idp.extensions import db as _db
from idp.extensions import get_clock
from idp.lifecycle.accounts import create_account

from .helpers import csrf_token

pytest_plugins = ["pytester"]

DEFAULT_PASSWORD = "Password1"


def make_test_app(tmp_path, **overrides):
    """An app on its own SQLite file and key folder, with fast hashing."""
    settings = {
        "database.url": f"sqlite:///{tmp_path / 'mock-ohid.db'}",
        "keys.dir": str(tmp_path / "keys"),
        "server.instance_dir": str(tmp_path / "instance"),
        "security.password_hash_profile": "fast",
        "users.seed": False,
    }
    settings.update(overrides)
    app = create_app(overrides=settings, environ={})
    app.config["TESTING"] = True

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


@pytest.fixture
def app(tmp_path, app_overrides):
    app = make_test_app(tmp_path, **app_overrides)
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


class ClockControl:
    """Moves the app's clock the way /_qa/clock does (persisted for all requests)."""

    def __init__(self, app):
        self.app = app

    def advance(self, **delta):
        from datetime import timedelta

        clock = get_clock()
        clock.advance(timedelta(**delta))
        save_clock_offset(clock)

    def now(self):
        return get_clock().now()

    def reset(self):
        clock = get_clock()
        clock.reset()
        save_clock_offset(clock)


@pytest.fixture
def clock(app):
    return ClockControl(app)


class UserFactory:
    """Creates accounts through the same rules as the web (traits as keywords)."""

    counter = 0

    def __call__(self, **fields):
        UserFactory.counter += 1
        n = UserFactory.counter
        values = {
            "username": f"test.user{n}",
            "email": f"test.user{n}@example.com",
            "password": DEFAULT_PASSWORD,
            "first_name": "Test",
            "last_name": f"User{n}",
            "year_of_birth": 1985,
            "email_verified": True,
        }
        values.update(fields)
        return create_account(**values)


@pytest.fixture
def user_factory(app):
    return UserFactory()


@pytest.fixture
def user(user_factory):
    return user_factory(
        username="dana.provider",
        email="dana@example.com",
        phone="+16125550123",
        phone_verified=True,
    )


class SignIn:
    """Drives the two sign-in pages through the test client."""

    def __init__(self, client):
        self.client = client

    def identifier(self, identifier, remember=False):
        page = self.client.get("/signin")
        data = {"csrf_token": csrf_token(page.data), "identifier": identifier}
        if remember:
            data["remember"] = "y"
        return self.client.post("/signin", data=data)

    def password(self, password):
        page = self.client.get("/signin/password")
        return self.client.post(
            "/signin/password", data={"csrf_token": csrf_token(page.data), "password": password}
        )

    def __call__(self, identifier, password=DEFAULT_PASSWORD):
        self.identifier(identifier)
        return self.password(password)


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


@pytest.fixture
def unused_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
