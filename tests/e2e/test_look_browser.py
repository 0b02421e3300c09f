"""What people see, checked in Chromium by element boxes, computed styles and labels."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.screens import check_screen, duplicate_ids, label_problems, sideways_overflow

pytestmark = pytest.mark.browser

CSS = Path(__file__).resolve().parents[2] / "idp" / "static" / "ohid.css"


def sign_in(page, base: str, username: str = "demo.provider", password: str = "Password1"):
    page.goto(f"{base}/signin")
    page.get_by_label("One Healthcare ID or Email Address").fill(username)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="My Profile")).to_be_visible()


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def assert_radios_beside_labels(page, names: list[str]) -> None:
    """Each radio is a small circle left of its label, on the label's line."""
    for name in names:
        control = page.get_by_label(name, exact=True)
        radio = box(control)
        label = box(page.locator(f"label[for='{control.get_attribute('id')}']"))
        assert radio["width"] < 30, f"{name}: radio stretched to {radio['width']}px"
        assert radio["x"] + radio["width"] <= label["x"], f"{name}: radio not left of label"
        middle = radio["y"] + radio["height"] / 2
        assert label["y"] <= middle <= label["y"] + label["height"], f"{name}: not on one line"


def test_machine_checks_find_a_missing_label_a_duplicate_id_and_overflow(page):
    page.set_content(
        "<main><h3 id='phone'>Phone number</h3><label for='phone'>Phone number</label>"
        "<input id='phone'><input name='loose'>"
        "<p style='width:2000px'>wide</p></main>"
    )
    problems = label_problems(page)
    # The label's `for` points at the heading, the first element with that id.
    assert any("#phone has no <label>" in p for p in problems)
    assert any("[name=loose] has no <label>" in p for p in problems)
    assert duplicate_ids(page) == ["phone"]
    assert sideways_overflow(page) > 0
    with pytest.raises(AssertionError, match="label"):
        check_screen(page, "bad", axe=True)


def test_axe_reports_a_serious_violation(page):
    page.set_content("<html lang='en'><main><img src='x.png'><input></main></html>")
    with pytest.raises(AssertionError, match=r"image-alt \(critical\)"):
        check_screen(page, "no alt")


def test_phone_number_label_focuses_its_input_on_manage_verification_options(live_server, page):
    sign_in(page, live_server.url)
    page.get_by_role("link", name="Manage Verification Options").click()
    page.locator("label", has_text="Phone number").first.click()
    assert page.evaluate("document.activeElement.id") == "phone"
    page.get_by_label("Phone number").fill("612 555 0142")
    # The current number is shown for reading, not as stored.
    expect(page.locator('[data-field="phone"]')).to_have_text("+1 612-555-0100")


def test_radios_sit_beside_their_labels_on_recovery_and_my_profile(live_server, page):
    page.goto(f"{live_server.url}/recover/password")
    page.get_by_label("One Healthcare ID or Email Address").fill("demo.provider")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Verify your identity")).to_be_visible()
    assert_radios_beside_labels(
        page,
        ["Text a code to the phone number ending in 0100", "Call the phone number ending in 0100"],
    )
    sign_in(page, live_server.url)
    page.get_by_role("link", name="Manage Verification Options").click()
    assert_radios_beside_labels(page, ["Text Message", "Call Me"])


def test_dev_inbox_wraps_long_links_inside_a_1280_px_window(live_server, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.request.post(
        f"{live_server.url}/_qa/users",
        data={"username": "wide.inbox", "email": "wide.inbox@example.com", "password": "Password1"},
    )
    page.goto(f"{live_server.url}/recover/id")
    page.get_by_label("Email address").fill("wide.inbox@example.com")
    page.get_by_role("button", name="Continue").click()
    page.goto(f"{live_server.url}/register")
    page.goto(f"{live_server.url}/_qa/inbox")
    expect(page.locator(".inbox-item").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_inbox_activation_link_wraps(live_server, page):
    """An activation link (a long token) stays inside the window at 1280 px."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/register")
    page.get_by_label("First name").fill("Wren")
    page.get_by_label("Last name").fill("Wide")
    page.get_by_label("Year of birth").fill("1990")
    page.get_by_label("Email address").fill("wren.wide@example.com")
    page.get_by_label("Create One Healthcare ID").fill("wren.wide")
    page.get_by_label("Create password").fill("Password1")
    page.get_by_label("Type password again").fill("Password1")
    for n in (1, 2, 3):
        page.get_by_label(f"Security question {n}").select_option(index=n)
        page.get_by_label(f"Answer {n}", exact=True).fill(f"answer {n}")
    page.get_by_role("button", name="I Agree").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    page.goto(f"{live_server.url}/_qa/inbox")
    link = page.locator(".message-body a").first
    expect(link).to_be_visible()
    assert "/activate/" in link.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert box(link)["x"] + box(link)["width"] <= 1280


def test_failed_passkey_sign_in_is_told_in_ohid_words_with_a_way_on(live_server, page):
    # The browser refuses as it does on cancel or time-out, with its raw W3C message.
    page.add_init_script(
        """
        navigator.credentials.get = () => Promise.reject(new DOMException(
          "The operation either timed out or was not allowed. See: "
          + "https://www.w3.org/TR/webauthn-2/#sctn-privacy-considerations-client.",
          "NotAllowedError"));
        """
    )
    page.goto(f"{live_server.url}/signin")
    page.get_by_role("button", name="Sign in with a passkey").click()
    alert = page.locator("[data-passkey-error]")
    expect(alert).to_have_text(
        "We couldn't sign you in with a passkey: the request was cancelled or timed out. "
        "Try again, or enter your One Healthcare ID above and select Continue."
    )
    assert "w3.org" not in page.locator("main").inner_text()
    check_screen(page, "passkey failed")


def test_finish_one_font_spaced_buttons_brand_links_and_even_headings(live_server, page):
    page.goto(f"{live_server.url}/recover/password")
    page.get_by_label("One Healthcare ID or Email Address").fill("demo.provider")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Verify your identity")).to_be_visible()
    # The heading is in the DOM before the page's stylesheet has loaded: read computed
    # styles and boxes only once the load event has fired.
    page.wait_for_load_state("load")
    body_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    button = page.get_by_role("button", name="Continue")
    assert button.evaluate("el => getComputedStyle(el).fontFamily") == body_font
    cancel = page.get_by_role("link", name="Cancel")
    gap = box(cancel)["x"] - (box(button)["x"] + box(button)["width"])
    assert gap >= 8, f"Cancel is {gap}px from Continue"
    colour = cancel.evaluate("el => getComputedStyle(el).color")
    assert colour not in ("rgb(0, 0, 238)", "rgb(85, 26, 139)"), colour

    page.request.post(
        f"{live_server.url}/_qa/users",
        data={
            "username": "soon.expiring",
            "email": "soon@example.com",
            "password": "Password1",
            "email_verified": True,
            "password_age_days": 80,
        },
    )
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/signin")
    page.get_by_label("One Healthcare ID or Email Address").fill("soon.expiring")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password", exact=True).fill("Password1")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Your password will expire soon")).to_be_visible()
    page.wait_for_load_state("load")
    change = page.get_by_role("button", name="Change Password")
    later = page.get_by_role("button", name="Remind Me Later")
    gap = box(later)["y"] - (box(change)["y"] + box(change)["height"])
    assert gap >= 8, f"Remind Me Later is {gap}px under Change Password"

    sign_in(page, live_server.url)
    page.get_by_role("link", name="Manage Verification Options").click()
    expect(page.get_by_role("heading", level=2, name="Manage Verification Options")).to_be_visible()
    page.wait_for_load_state("load")
    sizes = page.locator("main h3").evaluate_all(
        "els => els.map(e => getComputedStyle(e).fontSize)"
    )
    assert len(sizes) >= 5 and len(set(sizes)) == 1, sizes
    assert page.locator("main h2").count() == 1

    css = CSS.read_text()
    # One rule styles buttons and links-as-buttons alike; no second, conflicting a.button.
    own_rules = re.findall(r"(?m)(?:^|,)\s*(a\.button(?:\.primary)?)\s*[,{]", css)
    assert sorted(own_rules) == ["a.button", "a.button.primary"], own_rules
    assert "button, a.button {" in css and "button.primary, a.button.primary {" in css


def test_sign_out_with_a_bad_hint_explains_without_raw_errors(live_server, page):
    page.goto(f"{live_server.url}/end_session?id_token_hint=not.a.token")
    expect(
        page.get_by_role("heading", name="We can't complete this sign-out request")
    ).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("You can still sign out of One Healthcare ID here.")
    assert "Invalid JSON Web Signature" not in main.inner_text()
    check_screen(page, "bad hint")


def test_setup_opens_without_a_stray_question_mark_and_the_eye_has_a_name(live_server, page):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/register/security")
    # On a phone the method table keeps its words whole: "Setup" on one line.
    page.set_viewport_size({"width": 375, "height": 740})
    setup = page.locator("tr[data-method=passkey]").get_by_role("link", name="Setup")
    assert box(setup)["height"] < 48, box(setup)
    assert sideways_overflow(page) == 0
    page.set_viewport_size({"width": 1280, "height": 800})
    setup.click()
    expect(page.get_by_role("heading", name="Passkey Setup")).to_be_visible()
    assert page.url == f"{live_server.url}/register/security/passkey"
    page.goto(f"{live_server.url}/profile/sign-in-information")
    eye = page.get_by_role("button", name="Show", exact=True).first
    expect(eye).to_have_attribute("aria-pressed", "false")
    eye.click()
    expect(eye).to_have_attribute("aria-pressed", "true")
    assert page.get_by_label("Current password").get_attribute("type") == "text"


def test_removing_a_passkey_needs_a_second_click(live_server, page, virtual_authenticator):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/register/security/passkey")
    page.get_by_role("button", name="Create a passkey").click()
    expect(page.get_by_text("Your passkey is set up.")).to_be_visible()
    page.goto(f"{live_server.url}/profile/security")
    item = page.locator("[data-passkey-id]")
    name = item.locator("strong").first.inner_text()
    item.get_by_text("Remove", exact=True).click()
    expect(item.get_by_text("your recovery code stops working too")).to_be_visible()
    assert page.url.endswith("/profile/security")
    expect(page.locator("[data-passkey-id]")).to_have_count(1)
    item.get_by_role("button", name=f"Yes, remove {name}").click()
    expect(page.get_by_text("The passkey was removed.")).to_be_visible()
    expect(page.locator("[data-passkey-id]")).to_have_count(0)


def test_password_checklist_after_a_refused_submit_keeps_the_servers_ticks(live_server, page):
    """The refused password is not sent back; the list still shows which rules it met."""
    page.goto(f"{live_server.url}/register")
    page.get_by_label("Create One Healthcare ID").fill("checklist.user")
    page.get_by_label("Create password").fill("short")
    page.get_by_role("button", name="I Agree").click()
    expect(page.locator("#password-error")).to_contain_text("At least 1 uppercase letter")
    expect(page.locator('#password-rules li[data-rule="lower"]')).to_have_class("met")
    expect(page.locator('#password-rules li[data-rule="upper"]')).not_to_have_class("met")
