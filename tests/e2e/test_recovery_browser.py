"""Forgot password by text code in a real headless Chromium, then sign in with it."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NEW_PASSWORD = "BrowserReset9"


def test_forgot_password_by_text_code_then_sign_in(live_server, page):
    page.goto(f"{live_server.url}/signin")
    page.get_by_label("One Healthcare ID or Email Address").fill("demo.provider")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Forgot Password?").click()

    assert page.get_by_label("One Healthcare ID or Email Address").input_value() == (
        "demo.provider"
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Verify your identity").wait_for()
    page.get_by_label("Text a code to the phone number ending in 0100").check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("Verification Code").wait_for()
    sms = requests.get(
        f"{live_server.url}/_qa/outbox/latest",
        params={"channel": "sms", "to": "+16125550100", "purpose": "password_reset"},
        timeout=10,
    ).json()
    page.get_by_label("Verification Code").fill(sms["code"])
    page.get_by_role("button", name="Verify").click()

    # The rule list ticks as the user types (progressive enhancement).
    upper = page.locator('#new_password-rules li[data-rule="upper"]')
    page.get_by_label("New password").fill("lowercase only")
    assert "met" not in (upper.get_attribute("class") or "")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    expect(upper).to_have_class(re.compile(r"\bmet\b"))
    page.get_by_label("Type password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Your password has been reset").wait_for()

    page.get_by_role("link", name="Sign In").click()
    page.get_by_label("One Healthcare ID or Email Address").fill("demo.provider")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name="My Profile").wait_for()
    assert page.url.endswith("/profile")
