"""The portal.py snippet, run as written against a live server, from each page that shows
it: the README's "Connect a portal" and the docs' "Connect your portal"."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.oidc.test_rp_authlib import _browser_sign_in

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", ROOT / "docs" / "portals" / "connect.md"]


def _portal_snippet(page: Path) -> str:
    text = page.read_text()
    match = re.search(r"```python\n(# portal\.py\n.*?)```", text, re.S)
    assert match, f"{page.name} has no portal.py snippet"
    return match.group(1)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_portal_snippet_signs_in_through_mock_ohid(live_server, page):
    source = _portal_snippet(page).replace("http://localhost:8765", live_server.url)
    namespace: dict = {"__name__": "portal"}
    exec(compile(source, "portal.py", "exec"), namespace)  # noqa: S102 - our own docs
    portal = namespace["app"]
    port = re.search(r"flask --app portal run --port (\d+)", page.read_text()).group(1)
    # The port the page names, and one the demo portals leave free.
    assert not 5001 <= int(port) <= 5005
    portal.config["SERVER_NAME"] = f"localhost:{port}"
    browser = portal.test_client()

    start = browser.get("/")
    assert start.status_code == 302 and start.headers["Location"].startswith(live_server.url)
    import requests

    callback = _browser_sign_in(
        requests.Session(),
        start.headers["Location"],
        "demo.provider",
        "Password1",
        redirect_uri=f"http://localhost:{port}/callback",
    )
    parts = urlsplit(callback)
    welcome = browser.get(f"{parts.path}?{parts.query}")
    assert welcome.get_data(as_text=True) == "Welcome, Dana Provider"
    assert "Signed in as demo.provider" in browser.get("/").get_data(as_text=True)
