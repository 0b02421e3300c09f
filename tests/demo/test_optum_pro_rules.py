"""The Optum Pro demo portal's own rules (Optum Pro FAQ): 90 days without a sign-in into
the portal deactivate the account there, and an idle session times out after 30 minutes;
both on One Healthcare ID's QA clock. One Healthcare ID itself deactivates nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from idp.demo.portal_rules import PortalAccounts, is_inactive, is_timed_out
from tests.demo.demo_journey import Browser, DemoPortals, words

DEACTIVATED = (
    "Your Optum Pro account was deactivated because you haven't signed into the portal for "
    "90 consecutive days."
)
SHARED_EMAIL = (
    "A request is already in the system with the email you're trying to use. If the email "
    "is a shared address, register again with a unique email address. Work with your "
    "coworkers to decide who will/won't use the shared address."
)
NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def demo(live_server):
    portals = DemoPortals(live_server, "optum-pro")
    try:
        yield portals
    finally:
        portals.stop()


def test_the_portal_rules_count_days_and_minutes():
    assert is_inactive(NOW - timedelta(days=90), NOW, 90)
    assert not is_inactive(NOW - timedelta(days=89, hours=23), NOW, 90)
    assert not is_inactive(None, NOW, 90)
    assert not is_inactive(NOW - timedelta(days=900), NOW, 0)
    assert is_timed_out(NOW - timedelta(minutes=30), NOW, 30)
    assert not is_timed_out(NOW - timedelta(minutes=29), NOW, 30)


def test_a_deactivated_portal_account_takes_a_sign_in_to_reactivate():
    accounts = PortalAccounts()
    assert accounts.sign_in("s", NOW, 90, reactivate=False) == "active"
    later = NOW + timedelta(days=90)
    assert accounts.sign_in("s", later, 90, reactivate=False) == "deactivated"
    assert accounts.sign_in("s", later, 90, reactivate=False) == "deactivated"
    assert accounts.sign_in("s", later, 90, reactivate=True) == "reactivated"
    assert accounts.sign_in("s", later + timedelta(days=89), 90, reactivate=False) == "active"


def test_optum_pro_landing_offers_register_and_sign_in(demo):
    page = Browser(demo.issuer).get(f"{demo.urls['Optum Pro']}/")
    text = words(page)
    assert "Register for Optum Pro" in text and "Sign in" in text


def test_ninety_days_away_from_optum_pro_deactivate_it_there_not_at_one_healthcare_id(demo):
    browser = Browser(demo.issuer)
    portal = demo.urls["Optum Pro"]
    home = browser.sign_in(browser.get(f"{portal}/login"), "demo.provider")
    assert home.url == f"{portal}/" and "You are signed in to Optum Pro" in words(home)
    browser.submit(home, f"{portal}/logout")

    browser.qa("POST", "/clock", advance="91d")
    # 91 days on, One Healthcare ID asks only for the 90-day password change; keep it current.
    browser.qa("PATCH", "/users/demo.provider", password_age_days=0)
    refused = browser.sign_in(browser.get(f"{portal}/login"), "demo.provider")
    assert refused.status_code == 403
    assert DEACTIVATED in words(refused)
    assert browser.qa("GET", "/users/demo.provider")["deactivated"] is False

    # "all you'll need to do is sign into the portal": a fresh sign-in reactivates.
    again = browser.get(f"{portal}/login")
    assert "/signin" in again.url, "reactivating asks for a sign-in, not silent SSO"
    home = browser.sign_in(again, "demo.provider")
    assert home.url == f"{portal}/"
    assert "your Optum Pro account is active again" in words(home)


def test_thirty_idle_minutes_sign_out_of_optum_pro_on_the_qa_clock(demo):
    browser = Browser(demo.issuer)
    portal = demo.urls["Optum Pro"]
    home = browser.sign_in(browser.get(f"{portal}/login"), "demo.provider")
    assert "A 5-minute warning will appear prior to timing out." in words(home)
    browser.qa("POST", "/clock", advance="29m")
    assert "You are signed in to Optum Pro" in words(browser.get(f"{portal}/"))
    browser.qa("POST", "/clock", advance="30m")
    page = browser.get(f"{portal}/")
    text = words(page)
    assert "You were signed out of Optum Pro after 30 minutes of inactivity." in text
    assert "You are not signed in to Optum Pro" in text


def test_the_page_timer_signs_out_through_a_form_post(demo):
    browser = Browser(demo.issuer)
    portal = demo.urls["Optum Pro"]
    home = browser.sign_in(browser.get(f"{portal}/login"), "demo.provider")
    page = browser.submit(home, f"{portal}/timeout")
    assert "after 30 minutes of inactivity" in words(page)


def test_a_shared_email_account_signing_in_by_id_is_refused_with_the_guides_message(demo):
    browser = Browser(demo.issuer)
    for username in ("desk.first", "desk.second"):
        browser.qa(
            "POST",
            "/users",
            username=username,
            email="front.desk@example.com",
            password="Password1",
            email_verified=True,
        )
    refused = browser.sign_in(browser.get(f"{demo.urls['Optum Pro']}/register"), "desk.second")
    assert refused.status_code == 403
    text = words(refused)
    assert SHARED_EMAIL in text
    assert "You are signed in" not in text
    assert browser.qa("GET", "/users/desk.second")["email_shared"] is True


def test_a_unique_email_account_registers_at_optum_pro(demo):
    browser = Browser(demo.issuer)
    home = browser.sign_in(browser.get(f"{demo.urls['Optum Pro']}/register"), "demo.provider")
    assert "You are signed in to Optum Pro" in words(home)
