"""Playwright driving Debian's Chromium against a live server (never `playwright install`)."""

from __future__ import annotations

import os
import pathlib
import shutil

import pytest

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _chromium_path() -> str | None:
    return shutil.which("chromium")


NO_CHROMIUM = pytest.mark.skipif(
    _chromium_path() is None,
    reason="Debian's chromium is not installed (apt-get install chromium)",
)


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's Chromium: mark them to skip, saying why, where it is absent."""
    here = pathlib.Path(__file__).parent
    for item in items:
        if here in pathlib.Path(item.fspath).parents:
            item.add_marker(NO_CHROMIUM)


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, args=CHROMIUM_FLAGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


class VirtualAuthenticator:
    """Chromium's virtual WebAuthn authenticator through CDP (ctap2, internal, resident keys)."""

    def __init__(self, page):
        self.session = page.context.new_cdp_session(page)
        self.session.send("WebAuthn.enable", {"enableUI": False})
        result = self.session.send(
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
        self.authenticator_id = result["authenticatorId"]

    def credentials(self) -> list[dict]:
        return self.session.send(
            "WebAuthn.getCredentials", {"authenticatorId": self.authenticator_id}
        )["credentials"]


@pytest.fixture
def virtual_authenticator(page):
    return VirtualAuthenticator(page)


@pytest.fixture
def screens_dir(tmp_path):
    """Where the docs' screenshots go: docs/screens/ when MOCK_OHID_SCREENS=1 (to refresh
    them), else a temporary folder, so an ordinary test run leaves the tree clean."""
    if os.environ.get("MOCK_OHID_SCREENS") == "1":
        return pathlib.Path(__file__).resolve().parents[2] / "docs" / "screens"
    return tmp_path
