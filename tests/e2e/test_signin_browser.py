"""Signing in to a portal in a real headless Chromium."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser


def test_portal_login_in_chromium_by_visible_labels(live_server, page):
    captured = {}

    def portal(route):
        captured["url"] = route.request.url
        route.fulfill(status=200, body="portal callback reached")

    page.route("http://localhost:5001/**", portal)
    page.goto(
        f"{live_server.url}/authorize?response_type=code&client_id=optum-connect-claims-online"
        "&redirect_uri=http%3A%2F%2Flocalhost%3A5001%2Fcallback&scope=openid&state=b1"
    )
    page.get_by_label("One Healthcare ID or Email Address").fill("demo.provider")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill("Password1")
    page.get_by_role("button", name="Show", exact=True).click()
    assert page.get_by_label("Password").get_attribute("type") == "text"
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("http://localhost:5001/**")
    query = parse_qs(urlsplit(captured["url"]).query)
    assert query["state"] == ["b1"] and query["code"][0]


def test_wrong_password_message_in_chromium(live_server, page):
    page.goto(f"{live_server.url}/signin")
    page.get_by_label("One Healthcare ID or Email Address").fill("demo.provider")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill("NotMyPassword1")
    page.get_by_role("button", name="Sign In").click()
    alert = page.get_by_role("alert")
    assert "The One Healthcare ID or password that you entered is incorrect." in alert.inner_text()
