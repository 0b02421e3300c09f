"""Apache httpd + mod_auth_openidc (Debian packages) as the relying party:
a static client, its own dynamic registration, and five parallel requests on
one session that all force a refresh (SPEC §4.1)."""

from __future__ import annotations

import json
import tempfile
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from tests.interop import apache
from tests.interop.conftest import HTTP_TIMEOUT, follow, sign_in_by_form

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(apache.missing() is not None, reason=apache.missing() or ""),
]

STATIC_CLIENT = """
OIDCProviderMetadataURL {issuer}/.well-known/openid-configuration
OIDCClientID apache-portal
OIDCClientSecret apache-portal-secret-0123456789
OIDCRefreshAccessTokenBeforeExpiry 7200
"""


@pytest.fixture
def apache_root():
    # Not pytest's tmp_path: httpd's children ("nobody") must reach the folder.
    with tempfile.TemporaryDirectory(prefix="mock-ohid-apache-") as folder:
        root = Path(folder)
        root.chmod(0o755)
        yield root


@pytest.fixture
def running(apache_root):
    started = []

    def start(issuer: str, directives: str) -> apache.Apache:
        httpd = apache.start_apache(apache_root, issuer, directives)
        started.append(httpd)
        return httpd

    yield start
    for httpd in started:
        apache.stop_process(httpd.process)


def _login(httpd: apache.Apache, username: str) -> requests.Session:
    """Open the protected page, sign in at the mock, land on the page."""
    browser = requests.Session()
    first = browser.get(httpd.protected, allow_redirects=False, timeout=HTTP_TIMEOUT)
    page = follow(browser, first, None)
    home = sign_in_by_form(browser, page, username)
    assert home.status_code == 200 and "Portal home" in home.text, (
        home.status_code,
        home.url,
        home.text[:500],
        httpd.error_log()[-2000:],
    )
    return browser


def _session_info(browser: requests.Session, httpd: apache.Apache) -> dict:
    answer = browser.get(httpd.info(), timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200, (answer.status_code, httpd.error_log()[-2000:])
    return answer.json()


def test_static_client_logs_in_reads_userinfo_refreshes_and_logs_out(ohid, portal_user, running):
    httpd = running(ohid.issuer, STATIC_CLIENT)
    ohid.add_client(
        "apache-portal",
        "--secret",
        "apache-portal-secret-0123456789",
        "--redirect-uri",
        httpd.redirect_uri,
        "--post-logout-redirect-uri",
        f"{httpd.base}/loggedout.html",
    )
    browser = _login(httpd, portal_user["username"])
    info = _session_info(browser, httpd)
    assert info["userinfo"]["email"] == portal_user["email"]
    assert info["id_token"]["iss"] == ohid.issuer
    assert info["refresh_token"]
    # OIDCRefreshAccessTokenBeforeExpiry beyond the token's lifetime: every page refreshes.
    assert browser.get(httpd.protected, timeout=HTTP_TIMEOUT).status_code == 200
    refreshed = _session_info(browser, httpd)
    assert refreshed["refresh_token"] != info["refresh_token"]
    assert ohid.events("refresh_token_reused") == []

    out = browser.get(httpd.logout(f"{httpd.base}/loggedout.html"), timeout=HTTP_TIMEOUT)
    assert "Signed out of the portal" in out.text, (out.url, out.text[:300])
    again = browser.get(httpd.protected, allow_redirects=False, timeout=HTTP_TIMEOUT)
    assert again.status_code == 302 and again.headers["Location"].startswith(ohid.issuer)


def test_five_parallel_requests_on_one_session_all_refresh_and_succeed(ohid, portal_user, running):
    httpd = running(ohid.issuer, STATIC_CLIENT)
    ohid.add_client(
        "apache-portal",
        "--secret",
        "apache-portal-secret-0123456789",
        "--redirect-uri",
        httpd.redirect_uri,
    )
    browser = _login(httpd, portal_user["username"])
    cookies = browser.cookies.get_dict()
    barrier = threading.Barrier(5, timeout=30)
    statuses: list[int] = []

    def request_page():
        barrier.wait()
        answer = requests.get(httpd.protected, cookies=cookies, allow_redirects=False, timeout=30)
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=request_page) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * 5, (statuses, httpd.error_log()[-3000:])
    refreshes = [
        e for e in ohid.events("token_issued") if e["detail"].get("grant_type") == "refresh_token"
    ]
    assert len(refreshes) >= 2
    assert ohid.events("refresh_token_reused") == []
    # The session survives: the next request is still signed in.
    after = requests.get(httpd.protected, cookies=cookies, allow_redirects=False, timeout=30)
    assert after.status_code == 200


def test_dynamic_registration_by_mod_auth_openidc(ohid, portal_user, running, apache_root):
    metadata_dir = apache_root / "metadata"
    metadata_dir.mkdir()
    discovery = requests.get(
        f"{ohid.issuer}/.well-known/openid-configuration", timeout=HTTP_TIMEOUT
    ).json()
    # mod_auth_openidc names provider files after the url-encoded issuer.
    name = quote(ohid.issuer.removeprefix("https://"), safe="")
    (metadata_dir / f"{name}.provider").write_text(json.dumps(discovery))
    directives = f"""
OIDCMetadataDir {metadata_dir}
OIDCDiscoverURL {{base}}/protected/redirect_uri?iss={quote(ohid.issuer, safe="")}
"""
    httpd = running(ohid.issuer, directives)
    metadata_dir.chmod(0o777)
    browser = _login(httpd, portal_user["username"])
    info = _session_info(browser, httpd)
    assert info["userinfo"]["email"] == portal_user["email"]
    registered = [
        e for e in ohid.events("client_registered") if e["detail"].get("source") == "dynamic"
    ]
    assert len(registered) == 1
    # What mod_auth_openidc registers by default and the mock replaced (RFC 7591 §2).
    replaced = set(registered[0]["detail"]["replaced"])
    assert {"frontchannel_logout_uri", "initiate_login_uri", "response_types"} <= replaced
