"""Use mock-ohid from another project's tests: a QA API client and a pytest plugin.

After ``pip install mock-ohid`` the plugin is active in any pytest run::

    def test_portal_login(mock_ohid):
        mock_ohid.qa.create_user(username="jane.doe1", email="jane@example.com",
                                 password="Password1", email_verified=True)
        discovery = f"{mock_ohid.issuer}/.well-known/openid-configuration"
        ...

``mock_ohid`` starts a real server on 127.0.0.1 (browse it as ``localhost``)
with an empty database (the demo portals registered, no users), and stops it
after the test. Override the ``mock_ohid_settings`` fixture to change settings
(same names as config/default.toml).

The port is a free one unless chosen: override the ``mock_ohid_port`` fixture
(or parametrize it: ``@pytest.mark.parametrize("mock_ohid_port", [8765])``), or
set ``"server.port"`` in ``mock_ohid_settings``. With no ``"server.issuer"``
set, the issuer is ``http://localhost:PORT`` on the port really bound.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

try:
    import pytest
except ImportError:  # the QA client works without pytest installed
    pytest = None


class QAError(Exception):
    """The QA API answered with an error: ``status``, ``error`` and ``detail``."""

    def __init__(self, status: int, error: str, detail: str):
        super().__init__(f"{status} {error}: {detail}")
        self.status, self.error, self.detail = status, error, detail


class QAClient:
    """A small client for the /_qa API of a running mock-ohid."""

    def __init__(self, issuer: str, token: str | None = None, timeout: float = 10.0):
        self.issuer = issuer.rstrip("/")
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.timeout = timeout

    def _call(self, method: str, path: str, **kwargs) -> Any:
        response = self.session.request(
            method, f"{self.issuer}/_qa{path}", timeout=self.timeout, **kwargs
        )
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = {"error": "http_error", "detail": response.text[:200]}
            raise QAError(response.status_code, body.get("error", ""), body.get("detail", ""))
        return response.json() if response.content else None

    # Users
    def create_user(self, **fields) -> dict:
        """Create a user in any state (see POST /_qa/users)."""
        return self._call("POST", "/users", json=fields)

    def user(self, username: str) -> dict:
        return self._call("GET", f"/users/{username}")

    def update_user(self, username: str, **changes) -> dict:
        """Change any state, factors included (see PATCH /_qa/users/<username>)."""
        return self._call("PATCH", f"/users/{username}", json=changes)

    def add_factor(self, username: str, factor: str, value: Any = True) -> dict:
        """Add a factor: ``totp``, ``passkey`` (value ``"hwk"`` or ``"swk"``),
        ``recovery_code``, ``security_answers`` or ``remembered_devices``.

        Returns the user's state with what was made (``totp_secret``, ``passkey``,
        ``recovery_code``, ``security_answers``, ``device_cookie``).
        """
        return self.update_user(username, **{factor: value})

    def remove_factors(self, username: str, *factors: str) -> dict:
        """Remove every item of each factor named; ``notes`` says when none is left."""
        return self.update_user(username, **dict.fromkeys(factors, False))

    def add_passkey(self, username: str, amr: str = "hwk"):
        """Give the user a passkey; returns a ``SoftAuthenticator`` holding it.

        ``amr`` ``"hwk"``: a device-bound passkey; ``"swk"``: a synced one.
        """
        from .softkey import SoftAuthenticator

        key = SoftAuthenticator()
        key.add(self.add_factor(username, "passkey", amr)["passkey"])
        return key

    def delete_user(self, username: str) -> None:
        self._call("DELETE", f"/users/{username}")

    def totp(self, username: str) -> dict:
        """``{secret, code}`` of the user's authenticator app."""
        return self._call("GET", f"/users/{username}/totp")

    # Outbox
    def outbox(
        self,
        to: str | None = None,
        channel: str | None = None,
        purpose: str | None = None,
        since: str | None = None,
    ) -> list[dict]:
        params = {
            k: v
            for k, v in {"to": to, "channel": channel, "purpose": purpose, "since": since}.items()
            if v
        }
        return self._call("GET", "/outbox", params=params)

    def latest(
        self,
        to: str | None = None,
        channel: str | None = None,
        purpose: str | None = None,
        since: str | None = None,
    ) -> dict:
        """The newest matching message; raises QAError(404) when there is none (its
        detail echoes the filters and says what did arrive for ``to``)."""
        params = {
            k: v
            for k, v in {"to": to, "channel": channel, "purpose": purpose, "since": since}.items()
            if v
        }
        return self._call("GET", "/outbox/latest", params=params)

    def answer_call(self, to: str, digits: str) -> dict:
        """Type ``digits`` on the keypad of the pending verification call to ``to``."""
        return self._call("POST", "/voice/answer", json={"to": to, "digits": digits})

    # Clients
    def clients(self) -> list[dict]:
        """Every registered client (GET /_qa/clients)."""
        return self._call("GET", "/clients")

    def client(self, client_id: str) -> dict:
        """Everything a portal needs to connect to ``client_id``, secret aside."""
        return self._call("GET", f"/clients/{quote(client_id, safe='')}")

    def create_client(self, client_id: str, redirect_uris: list[str], **fields) -> dict:
        """Register a client (fields as in clients.toml); a generated secret is in the answer."""
        body = {"client_id": client_id, "redirect_uris": redirect_uris, **fields}
        return self._call("POST", "/clients", json=body)

    def update_client(self, client_id: str, **changes) -> dict:
        """Change a client in place, revoking nothing (``add_redirect_uris=[...]``,
        ``remove_post_logout_redirect_uris=[...]``, ``token_endpoint_auth_method``,
        ``new_secret=True``, ``introspect_any=True``...; see PATCH /_qa/clients/{id})."""
        return self._call("PATCH", f"/clients/{quote(client_id, safe='')}", json=changes)

    def delete_client(self, client_id: str) -> None:
        """Remove a client, revoking its tokens and users' consent."""
        self._call("DELETE", f"/clients/{quote(client_id, safe='')}")

    # Tokens without a browser, failures on demand
    def tokens(
        self,
        client_id: str,
        username: str,
        scope: str = "openid",
        claims: dict | None = None,
        expires_in: int | None = None,
        **extra,
    ) -> dict:
        """What the token endpoint would return after ``username`` signed in to
        ``client_id`` (see POST /_qa/tokens; ``extra``: acr, amr, nonce)."""
        body = {"client_id": client_id, "username": username, "scope": scope, **extra}
        if claims is not None:
            body["claims"] = claims
        if expires_in is not None:
            body["expires_in"] = expires_in
        return self._call("POST", "/tokens", json=body)

    def add_fault(self, endpoint: str, kind: str = "error", **fields) -> dict:
        """Make the next ``count`` requests at ``endpoint`` fail or slow down
        (fields: status, error, delay_ms, count, client_id)."""
        return self._call("POST", "/faults", json={"endpoint": endpoint, "kind": kind, **fields})

    def faults(self) -> list[dict]:
        return self._call("GET", "/faults")

    def clear_faults(self) -> dict:
        return self._call("DELETE", "/faults")

    # Clock, reset, events
    def advance_clock(self, duration: str) -> dict:
        return self._call("POST", "/clock", json={"advance": duration})

    def set_clock(self, instant: str) -> dict:
        return self._call("POST", "/clock", json={"set": instant})

    def reset_clock(self) -> dict:
        return self._call("DELETE", "/clock")

    def clock(self) -> dict:
        return self._call("GET", "/clock")

    def reset(self) -> dict:
        # The QA API takes changes as JSON only, an empty object included.
        return self._call("POST", "/reset", json={})

    def events(
        self, user: str | None = None, kind: str | None = None, since: str | None = None
    ) -> list[dict]:
        """Audit events, newest first (``since``: an ISO-8601 instant, inclusive)."""
        params = {k: v for k, v in {"user": user, "kind": kind, "since": since}.items() if v}
        return self._call("GET", "/events", params=params)


@dataclass
class RunningMockOhid:
    """A live mock-ohid: its issuer URL, QA client and Flask app."""

    issuer: str
    port: int
    qa: QAClient
    app: Any

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


def start_mock_ohid(
    workdir: Path, settings: dict | None = None, port: int | None = None
) -> tuple[RunningMockOhid, Any]:
    """Start a server thread on 127.0.0.1; returns ``(running, stop)``.

    ``port``: the port to listen on (0 or None: ``server.port`` from ``settings``,
    else a free one). A port in use raises :class:`~idp.serving.ListenError`.
    """
    from werkzeug.serving import make_server

    from .. import create_app
    from ..bootstrap import initialize
    from ..serving import BACKLOG, bind
    from ..store.engine import release_connections

    settings = dict(settings or {})
    listener = bind("127.0.0.1", port or settings.get("server.port") or 0)
    port = listener.port
    values = {
        "database.url": f"sqlite:///{workdir / 'mock-ohid.db'}",
        "keys.dir": str(workdir / "keys"),
        "server.instance_dir": str(workdir / "instance"),
        "security.password_hash_profile": "fast",
        "users.seed": False,
    }
    values.update(settings)
    # The issuer, unless set, follows the port really bound.
    values["server.port"] = port
    try:
        app = create_app(overrides=values, environ={})
        with app.app_context():
            initialize()
        listener.sock.listen(BACKLOG)
        server = make_server("127.0.0.1", port, app, threaded=True, fd=listener.sock.fileno())
    finally:
        # make_server works on a duplicate of the descriptor.
        listener.close()
    thread = threading.Thread(target=server.serve_forever, name="mock-ohid", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            release_connections()

    issuer = app.extensions["mock_ohid.settings"].issuer
    qa_token = app.extensions["mock_ohid.settings"].qa.token or None
    running = RunningMockOhid(issuer, port, QAClient(issuer, qa_token), app)
    return running, stop


if pytest is not None:

    @pytest.fixture
    def mock_ohid_settings() -> dict:
        """Settings for the ``mock_ohid`` server; override in your conftest to change them."""
        return {}

    @pytest.fixture
    def mock_ohid_port() -> int:
        """The port of the ``mock_ohid`` server; 0 (the default) takes a free one.

        Override it in your conftest, or parametrize it, to choose the port."""
        return 0

    @pytest.fixture
    def mock_ohid(mock_ohid_settings, mock_ohid_port) -> Iterator[RunningMockOhid]:
        """A live mock-ohid with an empty database, stopped after the test."""
        with tempfile.TemporaryDirectory(prefix="mock-ohid-") as workdir:
            running, stop = start_mock_ohid(Path(workdir), mock_ohid_settings, mock_ohid_port)
            try:
                yield running
            finally:
                stop()
