"""Real relying-party stacks against a live mock-ohid (SPEC §4.1, issue "Real portals").

``ohid`` runs ``mock-ohid serve --workers 2`` (gunicorn) on a free loopback port
in a fresh directory; ``sign_in_by_form`` fills the sign-in pages the way a
browser would, for RPs driven with ``requests``. Every wait has a timeout.
"""

from __future__ import annotations

import re
import secrets
import subprocess
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from idp.testing import QAClient
from tests.live import (
    clean_env,
    free_port,
    mock_ohid_command,
    start_serve,
    stop_process,
    wait_for_http,
)

PASSWORD = "Interop1pass"
START_SECONDS = 30
HTTP_TIMEOUT = 10


@dataclass
class LiveOhid:
    """A ``mock-ohid serve`` process: its issuer, QA client and folder."""

    issuer: str
    port: int
    workdir: Path
    env: dict
    qa: QAClient
    process: subprocess.Popen | None = None
    users: list = field(default_factory=list)

    def cli(self, *args: str) -> str:
        """Run ``mock-ohid ARGS`` on this server's folder and database; its output."""
        result = subprocess.run(
            [*mock_ohid_command(), *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def add_client(self, client_id: str, *args: str) -> None:
        """Register a trusted client through ``mock-ohid clients add``."""
        self.cli("clients", "add", "--id", client_id, "--trusted", *args)

    def events(self, kind: str) -> list[dict]:
        return self.qa.events(kind=kind)


@pytest.fixture
def ohid(tmp_path) -> LiveOhid:
    """mock-ohid under gunicorn with two workers, stopped after the test."""
    port = free_port()
    issuer = f"http://localhost:{port}"
    env = clean_env(
        MOCK_OHID_SERVER_ISSUER=issuer,
        MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE="fast",
        MOCK_OHID_USERS_SEED="false",
    )
    process = start_serve(tmp_path, env, port, "--workers", "2")
    try:
        wait_for_http(f"http://127.0.0.1:{port}/.well-known/openid-configuration", process)
        yield LiveOhid(issuer, port, tmp_path, env, QAClient(issuer), process)
    finally:
        stop_process(process)


@pytest.fixture
def portal_user(ohid) -> dict:
    """A plain account (no second factor) the RPs sign in as."""
    return ohid.qa.create_user(
        username="interop.tester",
        email="interop.tester@example.test",
        password=PASSWORD,
        first_name="Quinn",
        last_name="Interop",
        email_verified=True,
    )


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _csrf(page: str) -> str:
    match = _CSRF.search(page)
    assert match, f"no CSRF token on the page: {page[:300]}"
    return unescape(match.group(1))


def follow(
    session: requests.Session, response: requests.Response, stop_at: str | None
) -> requests.Response:
    """Follow redirects, stopping before any whose target starts with ``stop_at``."""
    for _ in range(20):
        location = response.headers.get("Location")
        if not response.is_redirect or not location:
            return response
        target = urljoin(response.url, location)
        if stop_at and target.startswith(stop_at):
            return response
        response = session.get(target, allow_redirects=False, timeout=HTTP_TIMEOUT)
    raise AssertionError("too many redirects")


def sign_in_by_form(
    session: requests.Session,
    page: requests.Response,
    username: str,
    password: str = PASSWORD,
    stop_at: str | None = None,
) -> requests.Response:
    """From the sign-in page, sign in (and allow sharing if asked); the last answer.

    With ``stop_at``, the redirect to a URL starting with it is returned
    unfollowed (for RPs whose callback is not served).
    """
    assert "/signin" in page.url, page.url

    def post(url: str, data: dict) -> requests.Response:
        answer = session.post(url, data=data, allow_redirects=False, timeout=HTTP_TIMEOUT)
        return follow(session, answer, stop_at)

    answer = post(
        urljoin(page.url, "/signin"), {"csrf_token": _csrf(page.text), "identifier": username}
    )
    assert "/signin/password" in answer.url, answer.url
    answer = post(answer.url, {"csrf_token": _csrf(answer.text), "password": password})
    if answer.url.split("?")[0].endswith("/consent"):
        answer = post(answer.url, {"csrf_token": _csrf(answer.text), "allow": "Allow"})
    return answer


def start_ohid(workdir: Path, **settings: str) -> LiveOhid:
    """``mock-ohid serve --workers 2`` in ``workdir`` the way a newcomer starts it:
    no issuer set, so the issuer follows the bound port; ``settings`` are extra
    MOCK_OHID_* variables. Stop it with ``stop_ohid``."""
    port = free_port()
    issuer = f"http://localhost:{port}"
    extra = dict(
        MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE="fast", MOCK_OHID_USERS_SEED="false", **settings
    )
    env = clean_env(**extra)
    process = start_serve(workdir, env, port, "--workers", "2")
    try:
        discovery = wait_for_http(f"{issuer}/.well-known/openid-configuration", process)
        assert discovery.json()["issuer"] == issuer, discovery.text[:300]
    except BaseException:
        stop_process(process)
        raise
    return LiveOhid(issuer, port, workdir, env, QAClient(issuer), process)


def stop_ohid(live: LiveOhid) -> None:
    """Stop a server from ``start_ohid``."""
    if live.process is not None:
        stop_process(live.process)


@pytest.fixture(scope="module")
def shared_ohid(tmp_path_factory) -> LiveOhid:
    """One server for a whole module of relying parties (each test uses its own
    clients and users)."""
    live = start_ohid(tmp_path_factory.mktemp("ohid"))
    try:
        yield live
    finally:
        stop_ohid(live)


_SHOWN_SECRET = re.compile(r"client_secret: (\S+)")


def newcomer_client(ohid: LiveOhid, client_id: str, redirect_uri: str, *args: str) -> str:
    """``mock-ohid clients add --id ID --redirect-uri URI [ARGS]`` with every other
    setting left at its default, as a newcomer registers a portal; the secret the
    command shows once."""
    shown = ohid.cli("clients", "add", "--id", client_id, "--redirect-uri", redirect_uri, *args)
    match = _SHOWN_SECRET.search(shown)
    assert match, shown
    return match.group(1)


def new_user(ohid: LiveOhid, username: str) -> dict:
    """A plain account (no second factor) for one relying party's test."""
    return ohid.qa.create_user(
        username=username,
        email=f"{username}@example.test",
        password=PASSWORD,
        first_name="Quinn",
        last_name="Interop",
        email_verified=True,
    )


def code_flow_tokens(
    ohid: LiveOhid,
    client_id: str,
    secret: str,
    redirect_uri: str,
    username: str,
    scope: str = "openid profile email",
) -> dict:
    """A portal's code flow with Authlib's client (its defaults: Basic
    authentication, PKCE added here): sign in on the real pages, redeem the code;
    the token response."""
    metadata = requests.get(
        f"{ohid.issuer}/.well-known/openid-configuration", timeout=HTTP_TIMEOUT
    ).json()
    portal = OAuth2Session(client_id, secret, scope=scope, redirect_uri=redirect_uri)
    verifier = secrets.token_urlsafe(48)
    url, state = portal.create_authorization_url(
        metadata["authorization_endpoint"],
        code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
    )
    browser = requests.Session()
    page = follow(
        browser, browser.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT), redirect_uri
    )
    answer = sign_in_by_form(browser, page, username, stop_at=redirect_uri)
    return portal.fetch_token(
        metadata["token_endpoint"],
        authorization_response=answer.headers["Location"],
        state=state,
        code_verifier=verifier,
        timeout=HTTP_TIMEOUT,
    )
