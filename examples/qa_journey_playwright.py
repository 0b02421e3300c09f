"""The same journey in a real browser with Playwright, selecting elements by OHID's texts.

Uses Debian's Chromium (never `playwright install`):

    pip install mock-ohid playwright pyotp && mock-ohid serve   # in another terminal
    python examples/qa_journey_playwright.py [ISSUER]
"""

from __future__ import annotations

import re
import secrets
import shutil
import sys
from urllib.parse import urlencode

import pyotp
import requests
from playwright.sync_api import expect, sync_playwright

CALLBACK = "http://localhost:5001/callback"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def latest(issuer: str, **filters) -> dict:
    response = requests.get(f"{issuer}/_qa/outbox/latest", params=filters, timeout=10)
    response.raise_for_status()
    return response.json()


def main(issuer: str) -> str:
    suffix = secrets.token_hex(3)
    username, email, phone = f"qa.browser.{suffix}", f"qb.{suffix}@example.com", "6125550143"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
        page = browser.new_page()
        # The portal is not running: answer its callback so the browser can land there.
        page.route(f"{CALLBACK}**", lambda route: route.fulfill(body="portal"))
        page.goto(
            f"{issuer}/authorize?"
            + urlencode(
                {
                    "response_type": "code",
                    "client_id": "optum-connect-claims-online",
                    "redirect_uri": CALLBACK,
                    "scope": "openid profile email",
                    "state": "pw",
                    "prompt": "create",
                }
            )
        )
        page.get_by_label("First name").fill("Pat")
        page.get_by_label("Last name").fill("Browser")
        page.get_by_label("Year of birth").fill("1990")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Create One Healthcare ID").fill(username)
        page.get_by_label("Create password").fill("Welcome2Ohid")
        page.get_by_label("Type password again").fill("Welcome2Ohid")
        page.get_by_label("Phone number").fill(phone)
        for n, (question, answer) in enumerate(
            [
                ("What is the name of your first pet?", "Rex"),
                ("What city were you born in?", "Duluth"),
                ("What was the make of your first car?", "Saab"),
            ],
            start=1,
        ):
            page.get_by_label(f"Security question {n}").select_option(label=question)
            page.get_by_label(f"Answer {n}", exact=True).fill(answer)
        page.get_by_role("button", name="I Agree").click()

        activation = latest(issuer, channel="email", to=email, purpose="email_activation")
        page.get_by_label("Activation code").fill(activation["code"])
        page.get_by_role("button", name="Verify", exact=True).click()
        page.get_by_role("button", name="Continue").click()

        page.get_by_role("button", name="Text Message").click()
        page.get_by_label("Verification Code").fill(latest(issuer, channel="sms")["code"])
        page.get_by_role("button", name="Verify", exact=True).click()
        page.get_by_role("button", name="Continue").click()

        page.locator("tr[data-method=authenticator]").get_by_role("link", name="Setup").click()
        secret = page.locator("[data-totp-secret]").inner_text().replace(" ", "")
        page.get_by_label("Verification Code").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Verify", exact=True).click()
        page.get_by_role("link", name="Continue").or_(
            page.get_by_role("button", name="Continue")
        ).first.click()
        page.get_by_role("button", name="Continue").click()

        expect(page).to_have_url(re.compile(rf"^{re.escape(CALLBACK)}\?"))
        landed = page.url
        browser.close()
    print(f"{username} created and back at the portal: {landed}")
    return landed


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://localhost:8765")
