"""The demo portals as their guides describe them, in Chromium: Optum Pro's idle timeout
with Playwright's clock (the five-minute warning at 25 idle minutes, the sign-out at 30;
Optum Pro FAQ), and Optum Connect's Sign Me Up (Optum Connect + OHID guide)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.demo.demo_journey import DemoPortals

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


@pytest.fixture
def optum_connect(live_server):
    portals = DemoPortals(live_server, "optum-connect-claims-online")
    try:
        yield portals
    finally:
        portals.stop()


def _create_one_healthcare_id(page, issuer: str, username: str, email: str) -> None:
    """Fill Create One Healthcare ID (no phone) and verify the email with its code."""
    page.get_by_label("First name").fill("Casey")
    page.get_by_label("Last name").fill("Connect")
    page.get_by_label("Year of birth").fill("1988")
    page.get_by_label("Your email address").fill(email)
    page.get_by_label("Create One Healthcare ID").fill(username)
    page.get_by_label("Create password").fill("Connect7Pass")
    page.get_by_label("Type password again").fill("Connect7Pass")
    answers = [
        ("What is the name of your first pet?", "Biscuit"),
        ("What city were you born in?", "Fresno"),
        ("What is your favorite book?", "Dune"),
    ]
    for n, (question, answer) in enumerate(answers, start=1):
        page.get_by_label(f"Security question {n}").select_option(label=question)
        page.get_by_label(f"Answer {n}", exact=True).fill(answer)
    page.get_by_role("button", name="I Agree").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    response = page.request.get(
        f"{issuer}/_qa/outbox/latest", params={"to": email, "purpose": "email_activation"}
    )
    page.get_by_label("Activation code").fill(response.json()["code"])
    page.get_by_role("button", name="Verify").click()
    page.get_by_role("button", name="Continue").click()
    offer = "Switch to faster and more secure sign-in methods"
    expect(page.get_by_role("heading", name=offer)).to_be_visible()
    page.get_by_role("button", name="Continue").click()


def test_optum_connect_sign_me_up_pop_up_create_then_which_portal_then_access_form(
    optum_connect, page
):
    portal = optum_connect.urls["Claims Online Portal"]
    page.goto(f"{portal}/")
    expect(page.get_by_role("heading", name="Welcome to OPTUM-CONNECT.COM")).to_be_visible()
    pop_up = page.get_by_role("dialog", name="Validate with One Healthcare ID")
    expect(pop_up).to_be_hidden()
    page.get_by_role("link", name="Sign Me Up").click()
    expect(pop_up).to_be_visible()
    pop_up.get_by_role("link", name="One Healthcare ID", exact=True).click()

    # The One Healthcare ID Sign-In page, where the user selects Create One Healthcare ID.
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()
    page.get_by_role("link", name="Create One Healthcare ID").click()
    expect(page.get_by_role("heading", name="Create One Healthcare ID")).to_be_visible()
    _create_one_healthcare_id(page, optum_connect.issuer, "casey.connect", "casey@example.com")

    # Back at the Optum Connect Home with the pop-up, then the access form.
    page.wait_for_url(f"{portal}/")
    which = page.get_by_role("dialog", name="WHICH PORTAL DO YOU WANT TO REGISTER FOR?")
    expect(which).to_be_visible()
    expect(which.get_by_role("link", name="Physician Info Portal")).to_be_visible()
    which.get_by_role("link", name="Claims Online Portal").click()
    expect(page.get_by_role("heading", name="CLAIMS ONLINE PORTAL ACCESS FORM")).to_be_visible()
    expect(page.get_by_label("One Healthcare ID")).to_have_value("casey.connect")


def test_the_sign_me_up_pop_up_works_without_javascript(optum_connect, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{optum_connect.urls['Claims Online Portal']}/")
        page.get_by_role("link", name="Sign Me Up").click()
        pop_up = page.get_by_role("dialog", name="Validate with One Healthcare ID")
        expect(pop_up).to_be_visible()
        pop_up.get_by_role("link", name="OK").click()
        expect(pop_up).to_be_hidden()
    finally:
        context.close()
