"""Two `mock-ohid serve` processes, in different directories, sharing one PostgreSQL
database and one keys folder, behave as one IdP (behind one issuer, as behind a
load balancer)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from urllib.parse import urlencode, urljoin

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.helpers import csrf_token, pkce_pair, query_of
from tests.live import free_port, mock_ohid_command
from tests.postgres import NEEDS_POSTGRES

pytestmark = NEEDS_POSTGRES

CLIENT = ("optum-connect-claims-online", "claims-online-demo-secret")
REDIRECT = "http://localhost:5001/callback"


class Pair:
    """Servers A and B; ``env`` is what both are started with."""

    def __init__(self, root, database_url):
        self.ports = {"A": free_port(), "B": free_port()}
        self.issuer = f"http://localhost:{self.ports['A']}"
        self.dirs = {name: root / name for name in self.ports}
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_OHID_")}
        self.env.update(
            MOCK_OHID_DATABASE_URL=database_url,
            MOCK_OHID_KEYS_DIR=str(root / "shared-keys"),
            MOCK_OHID_SERVER_ISSUER=self.issuer,
            MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE="fast",
        )
        self.processes = []

    def url(self, name: str) -> str:
        return f"http://localhost:{self.ports[name]}"

    def start(self, name: str) -> None:
        self.dirs[name].mkdir()
        process = subprocess.Popen(
            [*mock_ohid_command(), "serve", "--port", str(self.ports[name])],
            cwd=self.dirs[name],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(self.url(name) + "/.well-known/openid-configuration", timeout=2)
                return
            except requests.ConnectionError:
                assert process.poll() is None, f"server {name} exited"
                assert time.monotonic() < deadline, f"server {name} never answered"
                time.sleep(0.05)

    def cli(self, name: str, *args: str) -> str:
        done = subprocess.run(
            [*mock_ohid_command(), *args],
            cwd=self.dirs[name],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


@pytest.fixture(scope="module")
def pair(tmp_path_factory, postgres_url):
    servers = Pair(tmp_path_factory.mktemp("two-servers"), postgres_url)
    try:
        # One after the other: the first creates the tables and the signing keys.
        servers.start("A")
        servers.start("B")
        yield servers
    finally:
        servers.stop()


def authorize(browser, base: str, **extra):
    verifier, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": CLIENT[0],
        "redirect_uri": REDIRECT,
        "scope": "openid profile email",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    response = browser.get(f"{base}/authorize?{urlencode(params)}", allow_redirects=False)
    return response, verifier


def sign_in(browser, base: str, response, username: str, password="Password1"):
    """From a redirect to the sign-in page, sign in; returns the redirect to the portal."""
    page = browser.get(urljoin(base, response.headers["Location"]))
    answer = browser.post(
        f"{base}/signin",
        data={"csrf_token": csrf_token(page.text), "identifier": username},
        allow_redirects=False,
    )
    page = browser.get(urljoin(base, answer.headers["Location"]))
    answer = browser.post(
        f"{base}/signin/password",
        data={"csrf_token": csrf_token(page.text), "password": password},
        allow_redirects=False,
    )
    # The password page answers the portal itself.
    assert answer.headers["Location"].startswith(REDIRECT + "?"), answer.text
    return answer


def redeem(base: str, code: str, verifier: str):
    return requests.post(
        f"{base}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        auth=CLIENT,
        timeout=10,
    )


def id_token_header(base: str, id_token: str) -> dict:
    keys = KeySet.import_key_set(requests.get(f"{base}/.well-known/jwks.json", timeout=10).json())
    return jwt.decode(id_token, keys, algorithms=["RS256", "ES256"]).header


def create_user(base: str, username: str) -> None:
    response = requests.post(
        f"{base}/_qa/users",
        json={
            "username": username,
            "email": f"{username}@example.com",
            "password": "Password1",
            "email_verified": True,
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text


def test_account_made_on_one_server_signs_in_on_the_other(pair):
    create_user(pair.url("A"), "made.on.a")
    with requests.Session() as browser:
        response, verifier = authorize(browser, pair.url("B"), nonce="n-1")
        landed = sign_in(browser, pair.url("B"), response, "made.on.a")
        query = query_of(landed.headers["Location"])
        assert landed.headers["Location"].startswith(REDIRECT) and query["iss"] == pair.issuer
        tokens = redeem(pair.url("B"), query["code"], verifier)
        assert tokens.status_code == 200, tokens.text


def test_sso_session_from_one_server_is_honoured_by_the_other(pair):
    create_user(pair.url("A"), "sso.across")
    with requests.Session() as browser:
        response, _ = authorize(browser, pair.url("A"))
        sign_in(browser, pair.url("A"), response, "sso.across")
        # The browser's cookies for localhost go to both ports: B sees A's session.
        response, _ = authorize(browser, pair.url("B"), prompt="none", state="s")
        query = query_of(response.headers["Location"])
        assert response.headers["Location"].startswith(REDIRECT) and "code" in query, query


def test_code_issued_by_one_server_is_redeemed_once_across_both(pair):
    create_user(pair.url("A"), "code.once")
    with requests.Session() as browser:
        response, verifier = authorize(browser, pair.url("A"))
        landed = sign_in(browser, pair.url("A"), response, "code.once")
    code = query_of(landed.headers["Location"])["code"]
    first = redeem(pair.url("B"), code, verifier)
    second = redeem(pair.url("A"), code, verifier)
    assert first.status_code == 200, first.text
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"


def test_key_rotated_on_one_server_is_used_by_both(pair):
    create_user(pair.url("A"), "key.rotation")
    rotated = pair.cli("A", "keys", "rotate")
    new_kids = {
        kid["kid"]
        for kid in requests.get(f"{pair.url('A')}/.well-known/jwks.json", timeout=10).json()["keys"]
    }
    b_kids = {
        kid["kid"]
        for kid in requests.get(f"{pair.url('B')}/.well-known/jwks.json", timeout=10).json()["keys"]
    }
    assert new_kids == b_kids
    with requests.Session() as browser:
        response, verifier = authorize(browser, pair.url("B"))
        landed = sign_in(browser, pair.url("B"), response, "key.rotation")
    code = query_of(landed.headers["Location"])["code"]
    id_token = redeem(pair.url("B"), code, verifier).json()["id_token"]
    kid = id_token_header(pair.url("A"), id_token)["kid"]
    assert kid in rotated, rotated


def test_qa_clock_moved_on_one_server_moves_both(pair):
    moved = requests.post(f"{pair.url('A')}/_qa/clock", json={"advance": "3d"}, timeout=10)
    try:
        assert moved.status_code == 200, moved.text
        seen = requests.get(f"{pair.url('B')}/_qa/clock", timeout=10).json()
        assert seen["moved"] is True and seen["offset_seconds"] == pytest.approx(3 * 86400)
    finally:
        requests.delete(f"{pair.url('B')}/_qa/clock", timeout=10)
    assert requests.get(f"{pair.url('A')}/_qa/clock", timeout=10).json()["moved"] is False
