"""Walk every screen of mock-ohid in Chromium: the gallery and the accessibility checks.

`python tests/e2e/gallery.py` starts a throw-away server, walks every journey and
writes a PNG of each screen at 1280 px and 375 px to docs/screens/, with an index page.
tests/e2e/test_every_screen.py walks the same journeys and checks each screen.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect  # noqa: E402

WIDTHS = (1280, 375)
PORTALS = {"optum-connect-claims-online": 5001, "provider-express": 5005, "no-such-portal": 5001}
PORTAL_URL = re.compile(r"^http://localhost:500\d/")
PASSWORD = "Password1"
NEW_PASSWORD = "Gallery7Pass"
# The top of docs/screens/index.md, the Screens page of the documentation site.
INDEX_HEADER = """# Screens

Every screen of every journey (sign-in and its steps, registration, both phone paths,
security methods, recovery, expiry, lockout, My Profile's tabs, consent, sign-out, the
dev inbox, help, errors, the shared-email warnings, the activation Continue page, and
the demo portals' own pages) as Chromium draws it at 1280 px and 375 px, so a portal
team sees what its users will see before installing.

`python tests/e2e/gallery.py` regenerates this page and its pictures from a
throw-away server. The same walk is a test (`tests/e2e/test_every_screen.py`): on
each screen every input is found by `get_by_label` with its visible label, no id
repeats, nothing scrolls sideways at either width, and axe-core (from
`axe-playwright-python`) reports no serious or critical violation; allowed exceptions,
with reasons, would be listed in `tests/e2e/screens.py` (there are none).
"""


def authorize_url(base: str, client_id: str = "optum-connect-claims-online", **extra: str) -> str:
    """An authorization request from a demo portal."""
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": f"http://localhost:{PORTALS[client_id]}/callback",
        "scope": "openid profile email",
        "state": "gallery",
        **extra,
    }
    return f"{base}/authorize?{urlencode(params)}"


@dataclass
class Screen:
    name: str
    title: str
    journey: str


@dataclass
class Walk:
    """One walk over every journey; ``visit(page, screen)`` runs at each screen."""

    base: str
    browser: object
    visit: Callable
    # The live server's settings: the unrecognized-device check is server-wide, so a
    # journey turns it on by giving ``app`` other settings, and gives these back.
    settings: object = None
    # The live server's app, to serve the demo portals beside it (None: no demo journey).
    app: object = None
    screens: list[Screen] = field(default_factory=list)
    journey: str = ""

    def at(self, page, name: str, title: str) -> None:
        """The page shows the screen ``name``: wait for it to settle, then visit it."""
        page.wait_for_load_state("load")
        screen = Screen(name, title, self.journey)
        self.screens.append(screen)
        self.visit(page, screen)

    @contextmanager
    def context(self, journey: str, authenticator: bool = False):
        """A fresh browser (cookies and all) for one journey."""
        self.journey = journey
        context = self.browser.new_context(viewport={"width": WIDTHS[0], "height": 800})
        context.set_default_timeout(15000)
        page = context.new_page()
        page.route(PORTAL_URL, lambda route: route.fulfill(status=200, body="portal"))
        if authenticator:
            session = context.new_cdp_session(page)
            session.send("WebAuthn.enable", {"enableUI": False})
            session.send(
                "WebAuthn.addVirtualAuthenticator",
                {
                    "options": {
                        "protocol": "ctap2",
                        "transport": "internal",
                        "hasResidentKey": True,
                        "hasUserVerification": True,
                        "isUserVerified": True,
                        "automaticPresenceSimulation": True,
                    }
                },
            )
        try:
            yield page
        finally:
            context.close()

    def qa(self, page, method: str, path: str, **body):
        """Call the /_qa API from the browser context."""
        response = getattr(page.request, method)(f"{self.base}/_qa{path}", data=body or None)
        assert response.ok, response.text()
        return response.json()

    def latest(self, page, **filters) -> dict:
        """The newest outbox message matching ``filters``."""
        response = page.request.get(f"{self.base}/_qa/outbox/latest", params=filters)
        assert response.ok, response.text()
        return response.json()


def sign_in(walk: Walk, page, username: str, password: str = PASSWORD, shots: bool = False):
    """Type an ID and password on the two sign-in steps."""
    page.get_by_label("One Healthcare ID or Email Address").fill(username)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password", exact=True).fill(password)
    if shots:
        walk.at(page, "signin-password", "Sign In: password")
    page.get_by_role("button", name="Sign In").click()


def sign_in_journey(walk: Walk) -> None:
    with walk.context("Sign in") as page:
        page.goto(walk.base + "/signin")
        walk.at(page, "signin", "Sign In")
        page.get_by_label("One Healthcare ID or Email Address").fill("demo.provider")
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Password", exact=True).fill("NotMyPassword1")
        page.get_by_role("button", name="Sign In").click()
        expect(page.get_by_role("alert")).to_be_visible()
        walk.at(page, "signin-wrong-password", "Sign In: wrong password")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        walk.at(page, "signin-password", "Sign In: password")
        page.get_by_role("button", name="Sign In").click()
        expect(page.get_by_role("heading", name="My Profile")).to_be_visible()


def registration_journey(walk: Walk) -> None:
    with walk.context("Create One Healthcare ID", authenticator=True) as page:
        page.goto(authorize_url(walk.base, prompt="create"))
        expect(page.get_by_role("heading", name="Create One Healthcare ID")).to_be_visible()
        walk.at(page, "register", "Create One Healthcare ID")
        page.get_by_label("Create One Healthcare ID").fill("1234567")
        page.get_by_label("Your email address").fill("not-an-email")
        page.get_by_role("button", name="I Agree").click()
        expect(page.locator("#username-error")).to_be_visible()
        walk.at(page, "register-errors", "Create One Healthcare ID: errors")

        # An email another ID uses: the warning with Sign In first and the second option.
        fill_registration(page, "demo.provider@example.com")
        page.get_by_role("button", name="I Agree").click()
        expect(page.get_by_role("heading", name="Email Address Already in Use")).to_be_visible()
        walk.at(page, "register-shared-email", "Create One Healthcare ID: email already in use")
        page.go_back()
        expect(page.get_by_role("heading", name="Create One Healthcare ID")).to_be_visible()
        fill_registration(page, "gale.gallery@example.com")
        page.get_by_role("button", name="I Agree").click()

        expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
        walk.at(page, "register-verify-email", "Verify Your Email Address")
        activation = walk.latest(page, channel="email", to="gale.gallery@example.com")
        # The email's "Activate my One Healthcare ID" opens a page that verifies on Continue.
        link_page = page.context.new_page()
        link_page.goto(activation["link"])
        expect(link_page.get_by_role("button", name="Continue")).to_be_visible()
        walk.at(link_page, "register-activate", "Activate my One Healthcare ID: Continue")
        link_page.close()
        page.get_by_label("Activation code").fill(activation["code"])
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_text("Your email address has been verified.")).to_be_visible()
        walk.at(page, "register-email-verified", "Email address verified")
        page.get_by_role("button", name="Continue").click()

        expect(page.get_by_role("heading", name="Verify Phone Number")).to_be_visible()
        walk.at(page, "register-verify-phone", "Verify Phone Number: choose")
        page.get_by_role("button", name="Text Message").click()
        expect(page.get_by_label("Verification Code")).to_be_visible()
        walk.at(page, "register-verify-phone-text", "Verify Phone Number: text message")
        page.get_by_role("link", name="Update Phone Number").click()
        expect(page.get_by_role("heading", name="Update Phone Number")).to_be_visible()
        walk.at(page, "register-update-phone", "Update Phone Number")
        page.get_by_role("link", name="Back").click()
        walk.qa(page, "post", "/clock", advance="31s")  # past the resend cool-down
        page.get_by_role("button", name="Call to Verify").click()
        shown = page.locator("#call-code").inner_text().strip()
        walk.at(page, "register-verify-phone-call", "Verify Phone Number: call")
        page.request.post(
            f"{walk.base}/_qa/voice/answer", data={"to": "+16125550188", "digits": shown}
        )
        # The call page shows the same sentence while it polls: wait for the success screen.
        expect(page).to_have_url(re.compile(r"/register/phone-verified$"))
        expect(page.get_by_text("Your phone number has been verified.")).to_be_visible()
        walk.at(page, "register-phone-verified", "Verify Phone Number: verified")
        page.get_by_role("button", name="Continue").click()

        offer = "Switch to faster and more secure sign-in methods"
        expect(page.get_by_role("heading", name=offer)).to_be_visible()
        walk.at(page, "security-methods", offer)
        page.locator("tr[data-method=authenticator]").get_by_role("link", name="Setup").click()
        expect(page.get_by_role("heading", name="Authenticator Setup")).to_be_visible()
        walk.at(page, "security-authenticator", "Authenticator Setup")
        page.get_by_role("link", name="Back").click()
        page.locator("tr[data-method=passkey]").get_by_role("link", name="Setup").click()
        expect(page.get_by_role("heading", name="Passkey Setup")).to_be_visible()
        walk.at(page, "security-passkey", "Passkey Setup")
        page.get_by_role("button", name="Create a passkey").click()
        expect(page.get_by_text("Your passkey is set up.")).to_be_visible()
        walk.at(page, "security-recovery-code", "Save your recovery code")
        page.get_by_role("link", name="Continue").click()
        expect(page.get_by_role("heading", name=offer)).to_be_visible()
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(re.compile(r"^http://localhost:5001/callback\?"))

        profile_journey(walk, page)


def fill_registration(page, email: str) -> None:
    """Every field of Create One Healthcare ID, valid, with ``email``."""
    page.get_by_label("First name").fill("Gale")
    page.get_by_label("Last name").fill("Gallery")
    page.get_by_label("Year of birth").fill("1988")
    page.get_by_label("Your email address").fill(email)
    page.get_by_label("Create One Healthcare ID").fill("gale.gallery")
    page.get_by_label("Create password").fill(PASSWORD)
    page.get_by_label("Type password again").fill(PASSWORD)
    page.get_by_label("Country code").select_option("+1")
    page.get_by_label("Phone number").fill("612 555 0188")
    answers = ["Biscuit", "Rochester", "Dune"]
    for n, answer in enumerate(answers, start=1):
        page.get_by_label(f"Security question {n}").select_option(index=n)
        page.get_by_label(f"Answer {n}", exact=True).fill(answer)


def profile_journey(walk: Walk, page) -> None:
    """My Profile's tabs, for the account signed in on ``page``."""
    walk.journey = "My Profile"
    page.goto(walk.base + "/profile")
    expect(page.get_by_role("heading", name="My Profile")).to_be_visible()
    walk.at(page, "profile", "My Profile: Update Profile")
    page.get_by_role("link", name="Sign In Information").click()
    walk.at(page, "profile-sign-in-information", "My Profile: Sign In Information")
    page.get_by_label("New email address").fill("demo.biller@example.com")
    page.get_by_role("button", name="Change Email Address").click()
    expect(page.get_by_role("heading", name="Shared Email Address")).to_be_visible()
    walk.at(page, "profile-shared-email", "My Profile: Shared Email Address")
    page.goto(walk.base + "/profile/sign-in-information")
    page.get_by_label("New email address").fill("gale.new@example.com")
    page.get_by_role("button", name="Change Email Address").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    walk.at(page, "profile-verify-email", "My Profile: verify a new email address")
    page.goto(walk.base + "/profile")
    page.get_by_role("link", name="Manage Verification Options").click()
    walk.at(page, "profile-verification-options", "My Profile: Manage Verification Options")
    page.get_by_label("Phone number").fill("612 555 0199")
    page.get_by_role("button", name="Update Phone Number").click()
    expect(page.get_by_label("Verification Code")).to_be_visible()
    walk.at(page, "profile-verify-phone", "My Profile: verify a new phone number")
    page.goto(walk.base + "/profile/security")
    walk.at(page, "profile-security", "My Profile: security methods")
    page.goto(walk.base + "/profile")
    page.get_by_role("button", name="Sign Out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    walk.at(page, "signed-out", "Signed out")


def second_factor_journey(walk: Walk) -> None:
    with walk.context("Second factor") as page:
        walk.qa(
            page,
            "post",
            "/users",
            username="tess.totp",
            email="tess.totp@example.com",
            password=PASSWORD,
            phone="+16125550166",
            phone_verified=True,
            email_verified=True,
            totp=True,
        )
        page.goto(authorize_url(walk.base))
        sign_in(walk, page, "tess.totp")
        expect(page.get_by_role("heading", name="Verify your identity")).to_be_visible()
        walk.at(page, "mfa-verify", "Verify your identity: authenticator")
        for method, name in (("sms", "text"), ("call", "call"), ("recovery", "recovery-code")):
            page.goto(f"{walk.base}/signin/verify?method={method}")
            walk.at(page, f"mfa-verify-{name}", f"Verify your identity: {name}")

    with walk.context("Second factor") as page:
        # The account made in the registration journey has a passkey.
        page.goto(walk.base + "/signin")
        sign_in(walk, page, "gale.gallery")
        expect(page.get_by_role("button", name="Use your passkey")).to_be_visible()
        walk.at(page, "mfa-verify-passkey", "Verify your identity: passkey")


def authenticator_journey(walk: Walk) -> None:
    import pyotp

    with walk.context("Second factor") as page:
        walk.qa(
            page,
            "post",
            "/users",
            username="ava.authenticator",
            email="ava.authenticator@example.com",
            password=PASSWORD,
            email_verified=True,
        )
        page.goto(walk.base + "/signin")
        sign_in(walk, page, "ava.authenticator")
        expect(page.get_by_role("heading", name="My Profile")).to_be_visible()
        page.goto(walk.base + "/register/security/authenticator")
        secret = page.locator("[data-totp-secret]").inner_text().replace(" ", "")
        # The code of the server's moment: earlier journeys moved its clock (by 31 s),
        # and a code of this machine's moment is a step behind one time in thirty.
        server_now = datetime.fromisoformat(walk.qa(page, "get", "/clock")["now"])
        page.get_by_label("Verification Code").fill(pyotp.TOTP(secret).at(server_now))
        page.get_by_role("button", name="Verify", exact=True).click()
        expect(page.get_by_text("Your authenticator app is set up.")).to_be_visible()
        walk.at(page, "security-authenticator-done", "Authenticator Setup: success")


def demo_portals_journey(walk: Walk) -> None:
    """The demo portals' own pages, beside the live server (when the walk has its app)."""
    if walk.app is None:
        return
    from idp.demo.runner import bind, start_portals, stop

    clients = ("optum-connect-claims-online", "optum-pro", "optum-provider-portal")
    served = start_portals(
        walk.app, {c: bind("127.0.0.1", 0) for c in clients + ("provider-express",)}
    )
    urls = {item.label: item.url for item in served}
    try:
        _optum_connect_pages(walk, urls["Claims Online Portal"])
        _optum_pro_pages(walk, urls["Optum Pro"])
        with walk.context("Demo portals") as page:
            page.goto(urls["Provider Express"] + "/")
            walk.at(page, "demo-provider-express", "Provider Express: First-Time User, Log In")
            page.goto(urls["Optum Provider Portal"] + "/")
            walk.at(page, "demo-provider-portal", "Optum Provider Portal: Sign In at the top right")
    finally:
        stop(served)


def _optum_connect_pages(walk: Walk, portal: str) -> None:
    with walk.context("Demo portals") as page:
        walk.qa(
            page,
            "post",
            "/users",
            username="olive.portal",
            email="olive.portal@example.com",
            password=PASSWORD,
            email_verified=True,
        )
        page.goto(portal + "/")
        walk.at(page, "demo-optum-connect", "Optum Connect: Welcome to OPTUM-CONNECT.COM")
        page.get_by_role("link", name="Sign Me Up").click()
        pop_up = page.get_by_role("dialog", name="Validate with One Healthcare ID")
        expect(pop_up).to_be_visible()
        walk.at(page, "demo-validate-with-ohid", "Optum Connect: Validate with One Healthcare ID")
        pop_up.get_by_role("link", name="One Healthcare ID", exact=True).click()
        sign_in(walk, page, "olive.portal")
        which = page.get_by_role("dialog", name="WHICH PORTAL DO YOU WANT TO REGISTER FOR?")
        expect(which).to_be_visible()
        walk.at(
            page, "demo-which-portal", "Optum Connect: WHICH PORTAL DO YOU WANT TO REGISTER FOR?"
        )
        which.get_by_role("link", name="Claims Online Portal").click()
        expect(page.get_by_label("One Healthcare ID")).to_have_value("olive.portal")
        walk.at(page, "demo-access-form", "Optum Connect: Claims Online Portal access form")


def _optum_pro_pages(walk: Walk, portal: str) -> None:
    with walk.context("Demo portals") as page:
        for username in ("sam.shared", "sky.shared"):
            walk.qa(
                page,
                "post",
                "/users",
                username=username,
                email="front.desk@example.com",
                password=PASSWORD,
                email_verified=True,
            )
        page.goto(portal + "/")
        walk.at(page, "demo-optum-pro", "Optum Pro: Sign in, Register for Optum Pro")
        page.get_by_role("link", name="Register for Optum Pro").click()
        sign_in(walk, page, "sky.shared")
        expect(page.locator("#refusal")).to_be_visible()
        walk.at(page, "demo-optum-pro-shared-email", "Optum Pro: a shared email is refused")

    with walk.context("Demo portals") as page:
        page.clock.install()
        page.goto(portal + "/")
        page.get_by_role("link", name="Sign in").click()
        sign_in(walk, page, "olive.portal")
        expect(page.locator("#signed-in-state")).to_be_visible()
        # The timer starts when the deferred script runs, which may come after the text
        # shows on a busy machine: the clock moves only once the page has loaded.
        page.wait_for_load_state("load")
        warning = page.get_by_role("dialog", name="Your session is about to time out")
        page.clock.run_for("25:01")
        expect(warning).to_be_visible()
        walk.at(page, "demo-optum-pro-timeout-warning", "Optum Pro: the five-minute warning")

    with walk.context("Demo portals") as page:
        walk.qa(
            page,
            "post",
            "/users",
            username="dee.dormant",
            email="dee.dormant@example.com",
            password=PASSWORD,
            email_verified=True,
        )
        page.goto(portal + "/login")
        sign_in(walk, page, "dee.dormant")
        expect(page.locator("#signed-in-state")).to_be_visible()
    try:
        with walk.context("Demo portals") as page:
            walk.qa(page, "post", "/clock", advance="91d")
            walk.qa(page, "patch", "/users/dee.dormant", password_age_days=0)
            page.goto(portal + "/login")
            sign_in(walk, page, "dee.dormant")
            expect(page.locator("#deactivated")).to_be_visible()
            walk.at(page, "demo-optum-pro-deactivated", "Optum Pro: deactivated after 90 days")
    finally:
        with walk.context("Demo portals") as page:
            page.request.delete(f"{walk.base}/_qa/clock")


def step_up_journey(walk: Walk) -> None:
    with walk.context("Phone step-up") as page:
        walk.qa(
            page,
            "post",
            "/users",
            username="pat.nophone",
            email="pat.nophone@example.com",
            password=PASSWORD,
            email_verified=True,
        )
        page.goto(authorize_url(walk.base, client_id="provider-express"))
        sign_in(walk, page, "pat.nophone")
        expect(page.get_by_role("heading", name="Add a phone number")).to_be_visible()
        walk.at(page, "step-up-phone", "Add a phone number")
        page.get_by_label("Phone number").fill("612 555 0144")
        page.get_by_role("button", name="Send Access Code").click()
        expect(page.get_by_label("Access Code")).to_be_visible()
        walk.at(page, "step-up-phone-verify", "Add a phone number: Access Code")


def consent_and_sign_out_journey(walk: Walk) -> None:
    with walk.context("Consent and sign-out") as page:
        page.goto(authorize_url(walk.base, prompt="consent"))
        sign_in(walk, page, "demo.provider")
        expect(page.get_by_role("heading", name="Share my One Healthcare ID")).to_be_visible()
        walk.at(page, "consent", "Share my One Healthcare ID")
        page.get_by_role("button", name="Allow").click()
        expect(page).to_have_url(re.compile(r"^http://localhost:5001/callback\?"))
        page.goto(
            f"{walk.base}/end_session?client_id=optum-connect-claims-online"
            "&post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A5001%2F"
        )
        expect(page.get_by_role("heading", name="Sign out of One Healthcare ID?")).to_be_visible()
        walk.at(page, "sign-out-confirm", "Sign out of One Healthcare ID?")
        # A portal sending a post-logout URI it did not register (no trailing slash).
        page.goto(
            f"{walk.base}/end_session?client_id=optum-connect-claims-online"
            "&post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A5001"
        )
        expect(page.get_by_role("heading", name="For the portal's developer")).to_be_visible()
        walk.at(page, "sign-out-unregistered-uri", "Sign out: an unregistered post-logout URI")
        page.goto(f"{walk.base}/end_session?id_token_hint=not.a.token")
        walk.at(page, "sign-out-bad-hint", "Sign out: a bad id_token_hint")


def recovery_journey(walk: Walk) -> None:
    with walk.context("Recovery") as page:
        page.goto(walk.base + "/signin")
        page.get_by_role("link", name="Forgot One Healthcare ID?").click()
        walk.at(page, "recover-id", "Forgot One Healthcare ID?")
        page.get_by_label("Email address").fill("demo.biller@example.com")
        page.get_by_role("button", name="Continue").click()
        walk.at(page, "recover-id-sent", "Forgot One Healthcare ID?: sent")

        page.goto(walk.base + "/recover/password")
        walk.at(page, "recover-password", "Forgot password")
        page.get_by_label("One Healthcare ID or Email Address").fill("demo.provider")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Verify your identity")).to_be_visible()
        walk.at(page, "recover-verify-identity", "Forgot password: Verify your identity")
        page.get_by_label("Text a code to the phone number ending in 0100").check()
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_label("Verification Code")).to_be_visible()
        walk.at(page, "recover-code", "Forgot password: Verification Code")
        sms = walk.latest(page, channel="sms", to="+16125550100", purpose="password_reset")
        page.get_by_label("Verification Code").fill(sms["code"])
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_label("New password")).to_be_visible()
        walk.at(page, "recover-new-password", "Forgot password: New password")
        page.get_by_label("New password").fill(NEW_PASSWORD)
        page.get_by_label("Type password again").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Continue").click()
        walk.at(page, "recover-done", "Your password has been reset")

        page.goto(walk.base + "/recover/unlock")
        walk.at(page, "recover-unlock", "Unlock your One Healthcare ID")

    with walk.context("Recovery") as page:
        # The account made in the registration journey has security questions and a phone.
        page.goto(walk.base + "/recover/password")
        page.get_by_label("One Healthcare ID or Email Address").fill("gale.gallery")
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Answer my security questions").check()
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_text("Answer your security questions.")).to_be_visible()
        walk.at(page, "recover-security-questions", "Forgot password: security questions")
        page.goto(walk.base + "/recover/password/verify")
        page.get_by_label("Call the phone number ending in 0188").check()
        page.get_by_role("button", name="Continue").click()
        expect(page.locator("main")).to_contain_text("0188")
        walk.at(page, "recover-call", "Forgot password: call")


def expiry_and_lockout_journey(walk: Walk) -> None:
    with walk.context("Expiry, lockout, inactivity") as page:
        for username, state in (
            ("eve.expired", {"password_age_days": 91}),
            ("ed.expiring", {"password_age_days": 80}),
            ("lou.locked", {"locked": True}),
            ("ian.inactive", {"deactivated": True}),
        ):
            walk.qa(
                page,
                "post",
                "/users",
                username=username,
                email=f"{username}@example.com",
                password=PASSWORD,
                email_verified=True,
                **state,
            )
        page.goto(walk.base + "/signin")
        sign_in(walk, page, "eve.expired")
        expect(page.get_by_role("heading", name="Your password has expired")).to_be_visible()
        walk.at(page, "password-expired", "Your password has expired")

    with walk.context("Expiry, lockout, inactivity") as page:
        page.goto(walk.base + "/signin")
        sign_in(walk, page, "ed.expiring")
        expect(page.get_by_role("heading", name="Your password will expire soon")).to_be_visible()
        walk.at(page, "password-expiring", "Your password will expire soon")

    with walk.context("Expiry, lockout, inactivity") as page:
        page.goto(walk.base + "/signin")
        sign_in(walk, page, "lou.locked")
        expect(page.get_by_role("alert")).to_be_visible()
        walk.at(page, "signin-locked", "Sign In: locked")
        page.goto(walk.base + "/signin")
        sign_in(walk, page, "ian.inactive")
        expect(page.get_by_role("alert")).to_be_visible()
        walk.at(page, "signin-inactive", "Sign In: Inactive One Healthcare ID")


def pages_journey(walk: Walk) -> None:
    with walk.context("Help, inbox and errors") as page:
        page.goto(walk.base + "/help")
        walk.at(page, "help", "Help")
        page.goto(walk.base + "/_qa/inbox")
        walk.at(page, "inbox", "Dev inbox")
        page.goto(authorize_url(walk.base, client_id="no-such-portal"))
        walk.at(page, "error-authorize", "Error: unknown portal")
        page.goto(walk.base + "/no-such-page")
        walk.at(page, "error-404", "Error: page not found")
        page.goto(walk.base + "/activate/not-a-real-token")
        walk.at(page, "error-activation-link", "Error: a bad activation link")
        page.goto(walk.base + "/terms-of-use")
        walk.at(page, "terms-of-use", "Terms of Use")
        page.goto(walk.base + "/privacy-policy")
        walk.at(page, "privacy-policy", "Website Privacy Policy")


def unrecognized_device_journey(walk: Walk) -> None:
    """The device check is a server-wide setting: on for this journey only."""
    settings = walk.settings
    security = replace(settings.security, unrecognized_device_check=True)
    walk.app.extensions["mock_ohid.settings"] = replace(settings, security=security)
    try:
        with walk.context("Unrecognized device") as page:
            walk.qa(
                page,
                "post",
                "/users",
                username="dev.newdevice",
                email="dev.newdevice@example.com",
                password=PASSWORD,
                phone="+16125550177",
                phone_verified=True,
                email_verified=True,
            )
            page.goto(walk.base + "/signin")
            sign_in(walk, page, "dev.newdevice")
            expect(page.get_by_role("heading", name="Unrecognized device")).to_be_visible()
            walk.at(page, "unrecognized-device", "Unrecognized device")
    finally:
        walk.app.extensions["mock_ohid.settings"] = settings


JOURNEYS = (
    sign_in_journey,
    registration_journey,
    second_factor_journey,
    unrecognized_device_journey,
    step_up_journey,
    consent_and_sign_out_journey,
    recovery_journey,
    expiry_and_lockout_journey,
    pages_journey,
    authenticator_journey,
    demo_portals_journey,
)


def prepare(app) -> None:
    """A portal that needs a verified phone (for the step-up screens)."""
    from idp.store import db
    from idp.store.models import OAuth2Client

    with app.app_context():
        portal = db.session.query(OAuth2Client).filter_by(client_id="provider-express").one()
        portal.require_phone = True
        db.session.commit()


def walk_all(base: str, browser, visit: Callable, settings, app=None) -> list[Screen]:
    """Every journey in order (``settings``, ``app``: the live server's); returns the screens."""
    walk = Walk(base, browser, visit, settings, app)
    for journey in JOURNEYS:
        journey(walk)
    return walk.screens


def screenshot_visitor(out: Path) -> Callable:
    """Write ``NAME-1280.png`` and ``NAME-375.png`` of each screen into ``out``."""

    def visit(page, screen: Screen) -> None:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            page.screenshot(path=str(out / f"{screen.name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": WIDTHS[0], "height": 800})

    return visit


def write_index(out: Path, screens: list[Screen]) -> None:
    """docs/screens/index.md: each screen, grouped by journey, at both widths."""
    lines = INDEX_HEADER.split("\n")
    journey = None
    for screen in screens:
        if screen.journey != journey:
            journey = screen.journey
            lines += [f"## {journey}", ""]
        lines += [
            f"### {screen.title}",
            "",
            f'<img src="{screen.name}-1280.png" alt="{screen.title} at 1280 px" width="640"> '
            f'<img src="{screen.name}-375.png" alt="{screen.title} at 375 px" width="188">',
            "",
        ]
    (out / "index.md").write_text("\n".join(lines))


@contextmanager
def live_server():
    """A seeded server on a free loopback port, in a temporary folder: (URL, settings, app)."""
    import logging
    import socket

    from werkzeug.serving import make_server

    from idp import create_app
    from idp.bootstrap import initialize

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    folder = Path(tempfile.mkdtemp(prefix="mock-ohid-gallery-"))
    app = create_app(
        overrides={
            "database.url": f"sqlite:///{folder / 'mock-ohid.db'}",
            "keys.dir": str(folder / "keys"),
            "server.instance_dir": str(folder / "instance"),
            "security.password_hash_profile": "fast",
            "server.issuer": f"http://localhost:{port}",
            "server.port": port,
            "users.seed": True,
        },
        environ={},
    )
    with app.app_context():
        initialize()
    prepare(app)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}", app.extensions["mock_ohid.settings"], app
    finally:
        server.shutdown()
        thread.join(timeout=5)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    """Write docs/screens/*.png and docs/screens/index.md."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM_FLAGS

    out = ROOT / "docs" / "screens"
    out.mkdir(parents=True, exist_ok=True)
    # Only the gallery's own pictures: other browser tests write debugger.png and
    # demo-landing.png here for the debugger's and the demo portals' pages.
    for width in WIDTHS:
        for old in out.glob(f"*-{width}.png"):
            old.unlink()
    with live_server() as (base, settings, app), sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS, headless=True
        )
        try:
            screens = walk_all(base, browser, screenshot_visitor(out), settings, app)
        finally:
            browser.close()
    write_index(out, screens)
    print(f"{len(screens)} screens, {2 * len(screens)} PNGs in {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
