"""Share my One Healthcare ID and RP-initiated sign-out in a real headless Chromium."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser


def test_consent_then_sign_out_in_chromium(live_server, page):
    reached = []

    def portal(route):
        reached.append(route.request.url)
        route.fulfill(status=200, body="portal reached")

    page.route("http://localhost:5001/**", portal)
    page.goto(
        f"{live_server.url}/authorize?response_type=code&client_id=optum-connect-claims-online"
        "&redirect_uri=http%3A%2F%2Flocalhost%3A5001%2Fcallback&scope=openid%20email"
        "&prompt=consent&state=c1"
    )
    page.get_by_label("One Healthcare ID or Email Address").fill("demo.provider")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill("Password1")
    page.get_by_role("button", name="Sign In").click()
    assert page.get_by_role("heading", name="Share my One Healthcare ID").is_visible()
    assert page.get_by_text("Your email address", exact=True).is_visible()
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url("http://localhost:5001/**")
    assert parse_qs(urlsplit(reached[-1]).query)["state"] == ["c1"]

    page.goto(
        f"{live_server.url}/end_session?client_id=optum-connect-claims-online"
        "&post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A5001%2F&state=out"
    )
    assert page.get_by_role("heading", name="Sign out of One Healthcare ID?").is_visible()
    page.get_by_role("button", name="Sign Out").click()
    page.wait_for_url("http://localhost:5001/?state=out")
