"""Login, refresh, userinfo, introspection, revocation and end-session driven by
Node's openid-client (tests/oidc/node/rp.mjs) against a live mock-ohid.

openid-client is an OpenID Foundation certified relying-party library with strict
checks (state, nonce, PKCE, RFC 9207 ``iss``, ID token signature and claims); if
mock-ohid bends a rule, it refuses. `.ci/run` installs it with npm.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from werkzeug.serving import make_server

from tests.conftest import make_test_app
from tests.helpers import csrf_token, query_of

NODE_DIR = Path(__file__).parent / "node"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None or not (NODE_DIR / "node_modules" / "openid-client").is_dir(),
    reason="needs node and `npm install` in tests/oidc/node",
)

CLAIMS_ONLINE = {
    "client_id": "optum-connect-claims-online",
    "client_secret": "claims-online-demo-secret",
    "redirect_uri": "http://localhost:5001/callback",
    "post_logout_redirect_uri": "http://localhost:5001/",
}


def node(step: str, args: dict) -> dict:
    result = subprocess.run(
        [NODE, "rp.mjs", step, json.dumps(args)],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


class Browser:
    """The user's browser: keeps cookies, follows the IdP's pages, stops at the portal."""

    def __init__(self, portal_prefix: str):
        self.session = requests.Session()
        self.portal_prefix = portal_prefix
        self.pages: list[str] = []

    def follow(self, response) -> str:
        for _ in range(15):
            if not response.is_redirect:
                return self.answer(response)
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(self.portal_prefix):
                return location
            response = self.session.get(location, allow_redirects=False, timeout=10)
        raise AssertionError("too many redirects")

    def answer(self, response) -> str:
        page = response.text
        self.pages.append(page)
        if "One Healthcare ID or Email Address" in page:
            data = {"csrf_token": csrf_token(page), "identifier": "demo.provider"}
        elif 'name="password"' in page:
            data = {"csrf_token": csrf_token(page), "password": "Password1"}
        elif "Share my One Healthcare ID" in page:
            data = {"csrf_token": csrf_token(page), "allow": "Allow"}
        else:
            raise AssertionError(f"unexpected page at {response.url}")
        posted = self.session.post(response.url, data=data, allow_redirects=False, timeout=10)
        return self.follow(posted)

    def visit(self, url: str) -> str:
        return self.follow(self.session.get(url, allow_redirects=False, timeout=10))


def run_portal(issuer: str, **client) -> tuple[dict, Browser]:
    start = node("start", {"issuer": issuer, **client})
    browser = Browser(client["redirect_uri"])
    callback = browser.visit(start["url"])
    finish = node("finish", {"issuer": issuer, **client, **start, "callback": callback})
    return finish, browser


def check_portal_session(result: dict, issuer: str, client_id: str):
    claims = result["claims"]
    assert claims["iss"] == issuer and claims["preferred_username"] == "demo.provider"
    assert client_id in (claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]])
    assert result["userinfo"]["sub"] == claims["sub"]
    assert result["userinfo"]["email"] == "demo.provider@example.com"
    assert result["refresh_rotated"] is True
    assert result["refreshed_claims"]["sub"] == claims["sub"]
    assert result["refreshed_claims"]["auth_time"] == claims["auth_time"]
    assert result["userinfo_after_refresh"]["sub"] == claims["sub"]
    assert result["introspected"]["active"] is True
    assert result["introspected"]["sub"] == claims["sub"]
    assert result["introspected_after_revoke"]["active"] is False
    assert result["refresh_after_revoke"] == "invalid_grant"


def test_openid_client_portal_login_refresh_revoke_and_logout(live_server):
    issuer = live_server.url
    result, browser = run_portal(issuer, **CLAIMS_ONLINE)
    check_portal_session(result, issuer, CLAIMS_ONLINE["client_id"])

    logout = browser.session.get(result["end_session_url"], allow_redirects=False, timeout=10)
    assert logout.status_code == 302
    assert logout.headers["Location"] == (
        "http://localhost:5001/?state=signed-out-by-openid-client"
    )
    # Signed out: the next portal request needs the sign-in page again.
    again = browser.session.get(
        f"{issuer}/authorize?response_type=code&client_id={CLAIMS_ONLINE['client_id']}"
        f"&redirect_uri={CLAIMS_ONLINE['redirect_uri']}&scope=openid&prompt=none",
        allow_redirects=False,
        timeout=10,
    )
    assert query_of(again.headers["Location"])["error"] == "login_required"


def test_openid_client_registers_dynamically_and_the_user_consents(live_server):
    issuer = live_server.url
    portal = {
        "register": True,
        "redirect_uri": "http://localhost:5060/callback",
        "post_logout_redirect_uri": "http://localhost:5060/",
    }
    start = node("start", {"issuer": issuer, **portal})
    assert start["client_id"].startswith("dyn-") and start["client_secret"]
    browser = Browser(portal["redirect_uri"])
    callback = browser.visit(start["url"])
    assert any("Share my One Healthcare ID" in page for page in browser.pages)
    client = {**portal, "register": False, "client_id": start["client_id"]}
    client["client_secret"] = start["client_secret"]
    result = node("finish", {"issuer": issuer, **client, **start, "callback": callback})
    check_portal_session(result, issuer, start["client_id"])


@pytest.fixture
def split_server(tmp_path, unused_port):
    """A live issuer at http://localhost:PORT whose back-channel name is 127.0.0.1."""
    app = make_test_app(
        tmp_path,
        **{
            "server.issuer": f"http://localhost:{unused_port}",
            "server.port": unused_port,
            "server.internal_hosts": ["127.0.0.1"],
            "users.seed": True,
        },
    )
    server = make_server("127.0.0.1", unused_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield unused_port
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_openid_client_refuses_split_discovery_and_signs_in_with_the_metadata_handed_over(
    split_server,
):
    issuer, backend = f"http://localhost:{split_server}", f"http://127.0.0.1:{split_server}"
    # openid-client 6 compares discovery's issuer with the URL it fetched (RFC 8414 §3.3).
    refused = node("discover", {"issuer": backend, **CLAIMS_ONLINE})
    assert refused == {"ok": False, "error": "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED"}
    assert node("discover", {"issuer": issuer, **CLAIMS_ONLINE}) == {"ok": True, "issuer": issuer}
    # The README's way for such libraries: fetch the metadata by the back-channel name and
    # hand it over; the token, userinfo, introspection and revocation calls go to 127.0.0.1.
    metadata_url = f"{backend}/.well-known/openid-configuration"
    result, _ = run_portal(issuer, metadata_url=metadata_url, **CLAIMS_ONLINE)
    check_portal_session(result, issuer, CLAIMS_ONLINE["client_id"])
