"""The debugger in a real headless Chromium: a login shows the decoded claims and checks."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_login_through_the_debugger_shows_decoded_claims(live_server, page, screens_dir):
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(f"{live_server.url}/_qa/debugger")
    page.get_by_label("Client", exact=True).select_option("optum-connect-claims-online")
    page.get_by_label("Client secret").fill("claims-online-demo-secret")
    page.get_by_label("scope").fill("openid profile email portal offline_access")
    page.get_by_label("acr_values").select_option("urn:ohid:loa:1")
    page.get_by_role("button", name="Start login").click()
    page.get_by_label("One Healthcare ID or Email Address").fill("demo.provider")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill("Password1")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/_qa/debugger/runs/**")

    checks = page.locator("#id-token-checks")
    for name in ("signature", "iss", "aud", "exp", "iat", "nonce", "at_hash"):
        assert checks.locator(f'tr[data-check="{name}"] td.passed').is_visible()
    claims = page.locator("#id-token-claims")
    assert (
        claims.locator('tr[data-claim="preferred_username"]')
        .inner_text()
        .endswith('"demo.provider"')
    )
    assert "1234567893" in claims.locator('tr[data-claim="npi"]').inner_text()
    assert "demo.provider@example.com" in page.locator("#userinfo").inner_text()
    screens_dir.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screens_dir / "debugger.png"), full_page=True)

    # The debugger sends its ID token as id_token_hint, so the end-session endpoint
    # signs out without a confirmation page and sends the browser straight back.
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.locator("#signed-out")).to_be_visible()
