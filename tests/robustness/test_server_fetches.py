"""Every fetch the server makes follows its rules: no redirect is followed, no
address off the rule is reached, one deadline bounds the whole exchange, and no
answer is read past its byte cap. Against real loopback servers: a redirector,
a server that dribbles one byte at a time, one that sends 60 MB."""

from __future__ import annotations

import socket
import threading
import time
import tracemalloc
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from idp.fetch import FetchError, FetchRefused, FetchTimeout, FetchTooLarge, fetch
from idp.policy.fetch_rules import FetchRule
from idp.store.models import AuditEvent
from tests.helpers import csrf_token
from tests.oidc.portal import add_client, get_code
from tests.oidc.test_tokens import assertion, jwt_auth, rp_key  # noqa: F401 - fixture

HUGE = 60 * 1024 * 1024
# Generous: the deadline is what matters, not how busy the machine is.
MARGIN_SECONDS = 4


class BadServer:
    """What a hostile or broken server sends, and what reached it."""

    def __init__(self):
        self.hits: list[str] = []
        self.bytes_sent = 0
        self.stop = threading.Event()


@contextmanager
def bad_server():
    """Yields (base_url, BadServer): /redirect, /target, /dribble, /huge, /slow-headers."""
    state = BadServer()
    chunk = b"x" * 65536

    class Handler(BaseHTTPRequestHandler):
        def _route(self):
            state.hits.append(self.path)
            if self.path.startswith("/redirect"):
                self.send_response(302)
                self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/target")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.path.startswith("/target"):
                body = b'{"keys": []}'
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif self.path.startswith("/dribble"):
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self._dribble(lambda: self.wfile.write(b" "))
            elif self.path.startswith("/slow-headers"):
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                self._dribble(lambda: self.wfile.write(b"X: y\r\n"))
            elif self.path.startswith("/huge"):
                self.send_response(200)
                self.send_header("Content-Length", str(HUGE))
                self.end_headers()
                try:
                    while state.bytes_sent < HUGE:
                        self.wfile.write(chunk)
                        state.bytes_sent += len(chunk)
                except OSError:
                    return

        def _dribble(self, write):
            try:
                for _ in range(120):
                    write()
                    self.wfile.flush()
                    if state.stop.wait(0.25):
                        return
            except OSError:
                return

        do_GET = do_POST = _route  # noqa: N815 - http.server's naming

        def log_message(self, *args):
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}", state
    finally:
        state.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


LOOPBACK = FetchRule()


def test_a_redirect_is_answered_not_followed():
    with bad_server() as (base, state):
        answer = fetch(f"{base}/redirect", rule=LOOPBACK, seconds=3, max_bytes=1024)
    assert answer.status == 302
    assert state.hits == ["/redirect"]


def test_a_server_dribbling_its_body_is_cut_off_at_the_deadline():
    with bad_server() as (base, _state):
        started = time.monotonic()
        with pytest.raises(FetchTimeout, match="within 1 s"):
            fetch(f"{base}/dribble", rule=LOOPBACK, seconds=1, max_bytes=4096)
        # Each byte comes well within a per-read timeout; only a total deadline stops it.
        assert time.monotonic() - started < 1 + MARGIN_SECONDS


def test_a_server_dribbling_its_headers_is_cut_off_at_the_deadline():
    with bad_server() as (base, _state):
        started = time.monotonic()
        with pytest.raises(FetchTimeout):
            fetch(f"{base}/slow-headers", rule=LOOPBACK, seconds=1, max_bytes=4096)
        assert time.monotonic() - started < 1 + MARGIN_SECONDS


def test_a_huge_answer_is_not_read_past_the_cap():
    with bad_server() as (base, state):
        tracemalloc.start()
        try:
            with pytest.raises(FetchTooLarge, match="larger than 65536 bytes"):
                fetch(f"{base}/huge", rule=LOOPBACK, seconds=10, max_bytes=65536)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # The reader stopped: the 60 MB answer was never held, nor fully sent.
    assert peak < 2 * 1024 * 1024
    assert state.bytes_sent < HUGE


def test_an_address_off_the_rule_is_refused_before_any_connection(monkeypatch):
    def no_connection(*args, **kwargs):
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "socket", no_connection)
    with pytest.raises(FetchRefused, match="192.0.2.1 is not loopback"):
        fetch("http://192.0.2.1:8080/", rule=LOOPBACK, seconds=2, max_bytes=1024)


def test_a_name_is_resolved_once_and_its_checked_address_connected_to(monkeypatch):
    """A rebinding name answers loopback to the check and another address after:
    the fetch asks once, so it connects where the check looked."""
    calls = []
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        calls.append(host)
        answer = "127.0.0.1" if len(calls) == 1 else "192.0.2.1"
        return real(answer, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with bad_server() as (base, state):
        port = base.rsplit(":", 1)[1]
        answer = fetch(
            f"http://rebind.example:{port}/target", rule=LOOPBACK, seconds=3, max_bytes=1024
        )
    assert answer.status == 200 and state.hits == ["/target"]
    assert calls == ["rebind.example"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("gopher://localhost/", "only http and https"),
        ("http://user:pw@localhost/", "credentials"),
        ("http://localhost:99999/", "port"),
        ("http://[::1/", "cannot be parsed"),
        ("http://localhost:1/a b", "characters HTTP cannot send"),
        ("http://localhost:1/\u00e9", "characters HTTP cannot send"),
        ("http://ex\u00e4mple..invalid/", "does not resolve"),
    ],
)
def test_urls_that_are_not_plain_http_are_refused(url, message):
    with pytest.raises(FetchError, match=message):
        fetch(url, rule=LOOPBACK, seconds=1, max_bytes=1024)


def _register(base: str, **metadata) -> dict:
    response = requests.post(f"{base}/register", json=metadata, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def test_jwks_uri_cannot_use_the_authorize_redirector_to_reach_another_url(
    live_server,
    rp_key,  # noqa: F811
):
    """The issue's reproducer: /authorize redirects to any registered redirect URI,
    so a jwks_uri pointing at it made the server GET any URL."""
    base = live_server.url
    with bad_server() as (target_base, target):
        victim = f"{target_base}/target"
        client_a = _register(base, redirect_uris=[victim], client_name="A")
        jwks_uri = (
            f"{base}/authorize?response_type=code&client_id={client_a['client_id']}"
            f"&redirect_uri={victim}&scope=profile&prompt=none"
        )
        client_b = _register(
            base,
            client_name="B",
            redirect_uris=["http://localhost:5099/cb"],
            token_endpoint_auth_method="private_key_jwt",
            grant_types=["authorization_code", "client_credentials"],
            jwks_uri=jwks_uri,
        )
        signed = assertion(rp_key, client_b["client_id"], audience=f"{base}/token")
        response = requests.post(
            f"{base}/token",
            data={"grant_type": "client_credentials", **jwt_auth(signed)},
            timeout=15,
        )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_client"
    assert "HTTP 302 (redirects are not followed)" in response.json()["error_description"]
    assert target.hits == []


def test_jwks_uri_that_dribbles_is_refused_within_its_deadline(client, rp_key):  # noqa: F811
    with bad_server() as (base, _state):
        add_client(
            client_id="slow-keys",
            redirect_uris=["http://localhost:5098/cb"],
            token_endpoint_auth_method="private_key_jwt",
            grant_types=["client_credentials"],
            jwks_uri=f"{base}/dribble",
        )
        started = time.monotonic()
        response = client.post(
            "/token",
            data={"grant_type": "client_credentials", **jwt_auth(assertion(rp_key, "slow-keys"))},
        )
        elapsed = time.monotonic() - started
    assert response.json["error"] == "invalid_client"
    assert "no complete answer within 3 s" in response.json["error_description"]
    assert elapsed < 3 + MARGIN_SECONDS


def test_huge_jwks_uri_answer_is_refused_at_the_cap(client, rp_key):  # noqa: F811
    with bad_server() as (base, state):
        add_client(
            client_id="huge-keys",
            redirect_uris=["http://localhost:5097/cb"],
            token_endpoint_auth_method="private_key_jwt",
            grant_types=["client_credentials"],
            jwks_uri=f"{base}/huge",
        )
        response = client.post(
            "/token",
            data={"grant_type": "client_credentials", **jwt_auth(assertion(rp_key, "huge-keys"))},
        )
    assert response.json["error"] == "invalid_client"
    assert "larger than 65536 bytes" in response.json["error_description"]
    assert state.bytes_sent < HUGE


def test_sign_out_is_not_held_by_slow_back_channel_receivers(client, sign_in, user, db):
    """Three portals that each dribble their answer for 30 s: the sign-out still
    answers within the 2 s delivery deadline (plus a margin for a busy machine)."""
    with bad_server() as (base, _state):
        for n in range(3):
            add_client(
                client_id=f"slow-portal-{n}",
                client_secret=f"slow-secret-{n}-0123456789",
                redirect_uris=[f"http://localhost:{5090 + n}/cb"],
                backchannel_logout_uri=f"{base}/dribble/{n}",
                trusted=True,
            )
            get_code(
                client,
                sign_in,
                client_id=f"slow-portal-{n}",
                redirect_uri=f"http://localhost:{5090 + n}/cb",
            )
        page = client.get("/profile")
        started = time.monotonic()
        response = client.post("/signout", data={"csrf_token": csrf_token(page.data)})
        elapsed = time.monotonic() - started
    assert response.status_code in (200, 302)
    assert elapsed < 2 + MARGIN_SECONDS
    results = [
        e.detail["result"]
        for e in db.session.query(AuditEvent).filter_by(kind="backchannel_logout")
    ]
    assert len(results) == 3 and all(r.startswith("failed") for r in results), results
