"""The Optum Pro demo portal's idle timeout in Chromium, with Playwright's clock: the
five-minute warning at 25 idle minutes, the sign-out at 30 (Optum Pro FAQ)."""

from __future__ import annotations

import pytest

from ..portal.demo_journey import DemoPortals

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(live_server):
    portals = DemoPortals(live_server, "optum-pro")
    try:
        yield portals
    finally:
        portals.stop()


def test_optum_pro_warns_five_minutes_before_its_thirty_minute_timeout(demo, page):
    portal = demo.urls["Optum Pro"]
    page.clock.install()
    page.goto(f"{portal}/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("One Healthcare ID or Email Address").fill("demo.provider")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill("Password1")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{portal}/")
    warning = page.get_by_role("dialog", name="Your session is about to time out")
    page.clock.run_for("24:59")
    assert not warning.is_visible()
    page.clock.run_for("00:02")
    warning.wait_for()
    assert "will sign you out in 5 minutes" in warning.inner_text()
    page.clock.run_for("05:00")
    page.wait_for_url(f"{portal}/")
    notice = page.locator("#notice")
    notice.wait_for()
    assert "after 30 minutes of inactivity" in notice.inner_text()
    assert page.locator("#signed-out-state").is_visible()
