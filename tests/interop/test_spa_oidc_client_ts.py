"""A single-page portal using oidc-client-ts (npm) in Debian's Chromium, served
from its own localhost origin: login, userinfo, refresh and logout, every call to
the mock made by the browser across origins (CORS, SPEC §4.1)."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.live import free_port

SPA = Path(__file__).parent / "spa"
LIBRARY = SPA / "node_modules" / "oidc-client-ts" / "dist" / "browser" / "oidc-client-ts.min.js"

pytestmark = [
    pytest.mark.interop,
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
    pytest.mark.skipif(
        not LIBRARY.exists(),
        reason="oidc-client-ts is not installed (npm install in tests/interop/spa)",
    ),
]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        return None


@pytest.fixture
def spa_origin():
    """The SPA's files on their own origin, http://localhost:PORT."""
    port = free_port()
    server = ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(QuietHandler, directory=str(SPA))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_oidc_client_ts_logs_in_reads_userinfo_refreshes_and_logs_out(
    ohid, portal_user, spa_origin
):
    ohid.add_client(
        "spa-portal",
        "--auth-method",
        "none",
        "--redirect-uri",
        f"{spa_origin}/callback.html",
        "--post-logout-redirect-uri",
        f"{spa_origin}/index.html?signed_out=1",
    )
    driver = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).parent / "spa_driver.py"),
            spa_origin,
            ohid.issuer,
            "spa-portal",
            portal_user["username"],
            "Interop1pass",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert driver.returncode == 0, driver.stderr[-3000:]
    seen = json.loads(driver.stdout)
    assert seen["status"] == "signed in"
    user = seen["user"]
    assert user["email"] == portal_user["email"] and user["refresh_token"]
    assert user["userinfo"]["sub"] == user["sub"]
    renewed = seen["renewed"]
    assert renewed["access_token"] != user["access_token"]
    assert renewed["userinfo"]["email"] == portal_user["email"]
    assert seen["after_logout"] == "signed out"
    assert not [e for e in seen["console_errors"] if "CORS" in e], seen["console_errors"]
