"""The Optum Connect demo as its guide describes it: Sign Me Up's pop-up, then after the
One Healthcare ID sign-in the Home with "WHICH PORTAL DO YOU WANT TO REGISTER FOR?" and
the portal's access form with the One Healthcare ID filled in."""

from __future__ import annotations

import pytest

from tests.demo.demo_journey import Browser, DemoPortals, words

WHICH = "WHICH PORTAL DO YOU WANT TO REGISTER FOR?"


@pytest.fixture
def demo(live_server):
    portals = DemoPortals(live_server, "optum-connect-physician-info")
    try:
        yield portals
    finally:
        portals.stop()


def test_the_landing_has_the_guides_words_and_the_pop_up(demo):
    page = Browser(demo.issuer).get(f"{demo.urls['Physician Info Portal']}/")
    text = words(page)
    for sentence in (
        "Welcome to OPTUM-CONNECT.COM",
        "Log In here to access Optum's Clinical Portal applications from one location. You only "
        "need to sign in once to access one or more of our clinical portals.",
        "Log In (With OHID)",
        "Sign Me Up",
        "Validate with One Healthcare ID",
        "To complete the Optum Connect Enrollment Application, click on the One HealthCare ID "
        "below.",
    ):
        assert sentence in text, sentence
    assert 'href="#validate-with-ohid">Sign Me Up</a>' in page.text
    assert 'href="/enroll">One Healthcare ID</a>' in page.text


def test_enrolling_leads_to_which_portal_then_the_access_form_with_the_id(demo):
    browser = Browser(demo.issuer)
    portal = demo.urls["Physician Info Portal"]
    home = browser.sign_in(browser.get(f"{portal}/enroll"), "demo.provider")
    assert home.url == f"{portal}/" and WHICH in words(home)
    assert WHICH not in words(browser.get(f"{portal}/")), "the pop-up shows once"
    form = browser.get(f"{portal}/access-form/physician-info")
    assert "PHYSICIAN INFORMATION PORTAL ACCESS FORM" in words(form)
    assert 'name="ohid" value="demo.provider" readonly' in form.text
    sent = browser.submit(form, f"{portal}/access-form/physician-info", ohid="demo.provider")
    assert "Your request was submitted." in words(sent)


def test_a_plain_log_in_shows_no_pop_up(demo):
    browser = Browser(demo.issuer)
    home = browser.sign_in(
        browser.get(f"{demo.urls['Physician Info Portal']}/login"), "demo.provider"
    )
    assert "You are signed in to Physician Info Portal" in words(home)
    assert "Physician Info Portal: Find Patient Data" in words(home)
    assert WHICH not in words(home)


def test_the_access_form_needs_a_sign_in_and_a_known_name(demo):
    browser = Browser(demo.issuer)
    portal = demo.urls["Physician Info Portal"]
    page = browser.get(f"{portal}/access-form/claims-online")
    assert page.url == f"{portal}/"
    assert "Log In (With OHID) first to fill in an access form." in words(page)
    assert browser.get(f"{portal}/access-form/nothing").status_code == 404
