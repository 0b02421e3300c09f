"""Drive the oidc-client-ts single-page portal in Debian's Chromium; print what it saw.

Run in its own process (one Playwright per process):
``python spa_driver.py SPA_URL ISSUER CLIENT_ID USERNAME PASSWORD``.
"""

from __future__ import annotations

import json
import shutil
import sys
from urllib.parse import urlencode

from playwright.sync_api import sync_playwright

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TIMEOUT_MS = 20000


def run(spa: str, issuer: str, client_id: str, username: str, password: str) -> dict:
    seen: dict = {"console_errors": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS, headless=True
        )
        try:
            page = browser.new_context().new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on(
                "console",
                lambda m: m.type == "error" and seen["console_errors"].append(m.text),
            )
            query = urlencode({"issuer": issuer, "client_id": client_id})
            page.goto(f"{spa}/index.html?{query}")
            page.wait_for_function("document.getElementById('status').textContent === 'ready'")
            page.evaluate("() => { spa.login(); }")
            page.wait_for_url(f"{issuer}/signin**")
            page.fill("input[name=identifier]", username)
            page.click("button[type=submit]")
            page.wait_for_url(f"{issuer}/signin/password**")
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_url(f"{spa}/index.html")
            page.wait_for_function("document.getElementById('status').textContent !== 'loading'")
            seen["status"] = page.text_content("#status")
            seen["user"] = page.evaluate("spa.user()")
            seen["renewed"] = page.evaluate("spa.renew()")
            page.evaluate("() => { spa.logout(); }")
            page.wait_for_url(f"{spa}/index.html?signed_out=1")
            page.wait_for_function("document.getElementById('status').textContent === 'signed out'")
            seen["after_logout"] = page.text_content("#status")
        finally:
            browser.close()
    return seen


if __name__ == "__main__":
    print(json.dumps(run(*sys.argv[1:6])))
