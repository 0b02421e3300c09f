"""Signing in over `serve --https` in Chromium that trusts the local CA the way a user
makes it trust it on Linux: certutil into the NSS database of their home folder
(docs/containers.md). Certificate errors are not ignored."""

from __future__ import annotations

import os
import shutil
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import CHROMIUM_FLAGS
from tests.live import served_processes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which("certutil") is None,
        reason="certutil is not installed (apt-get install libnss3-tools)",
    ),
]


@pytest.fixture(scope="module")
def https_issuer(tmp_path_factory):
    folder = tmp_path_factory.mktemp("https-browser")
    with served_processes(folder, MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE="fast") as start:
        served = start("--https", "--port", "0")
        port = served.port()
        yield f"https://localhost:{port}", folder / "keys" / "tls" / "ca.pem"


def home_trusting(home, ca=None):
    """A home folder whose NSS database (where Chromium on Linux looks) trusts ``ca``."""
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    subprocess.run(
        ["certutil", "-d", f"sql:{nssdb}", "-N", "--empty-password"], check=True, timeout=60
    )
    if ca is not None:
        # The command the serve banner prints for Chrome and Firefox on Linux.
        subprocess.run(
            ["certutil", "-d", f"sql:{nssdb}", "-A", "-t", "C,,", "-n", "mock-ohid", "-i", str(ca)],
            check=True,
            timeout=60,
        )
    return home


def chromium_with_home(browser, home):
    """Another Chromium from the session's Playwright, with ``home`` as its home folder."""
    return browser.browser_type.launch(
        executable_path=shutil.which("chromium"),
        args=CHROMIUM_FLAGS,
        headless=True,
        env={**os.environ, "HOME": str(home)},
    )


def test_chromium_trusting_the_local_ca_signs_in_over_https(https_issuer, tmp_path, browser):
    issuer, ca = https_issuer
    home = home_trusting(tmp_path / "home", ca)
    captured = {}

    def portal(route):
        captured["url"] = route.request.url
        route.fulfill(status=200, body="portal callback reached")

    trusting = chromium_with_home(browser, home)
    try:
        page = trusting.new_page()
        page.set_default_timeout(20000)
        page.route("http://localhost:5001/**", portal)
        page.goto(
            f"{issuer}/authorize?response_type=code&client_id=optum-connect-claims-online"
            "&redirect_uri=http%3A%2F%2Flocalhost%3A5001%2Fcallback&scope=openid&state=s1"
        )
        assert page.url.startswith(f"{issuer}/signin")
        page.get_by_label("One Healthcare ID or Email Address").fill("demo.provider")
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Password").fill("Password1")
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url("http://localhost:5001/**")
    finally:
        trusting.close()
    query = parse_qs(urlsplit(captured["url"]).query)
    assert query["state"] == ["s1"] and query["code"][0] and query["iss"] == [issuer]


def test_chromium_without_the_ca_refuses_the_certificate(https_issuer, tmp_path, browser):
    from playwright.sync_api import Error

    issuer, _ = https_issuer
    untrusting = chromium_with_home(browser, home_trusting(tmp_path / "home"))
    try:
        page = untrusting.new_page()
        with pytest.raises(Error, match="ERR_CERT_AUTHORITY_INVALID"):
            page.goto(f"{issuer}/signin", timeout=20000)
    finally:
        untrusting.close()
