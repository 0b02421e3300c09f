"""The README's "Connect your portal" snippet, run as written against a live server."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from tests.oidc.test_rp_authlib import _browser_sign_in

README = Path(__file__).resolve().parent.parent / "README.md"


def _portal_snippet() -> str:
    text = README.read_text()
    match = re.search(r"```python\n(# portal\.py\n.*?)```", text, re.S)
    assert match, "README has no portal.py snippet"
    return match.group(1)


def test_readme_portal_snippet_signs_in_through_mock_ohid(live_server):
    source = _portal_snippet().replace("http://localhost:8765", live_server.url)
    namespace: dict = {"__name__": "portal"}
    exec(compile(source, "portal.py", "exec"), namespace)  # noqa: S102 - our own README
    portal = namespace["app"]
    port = re.search(r"flask --app portal run --port (\d+)", README.read_text()).group(1)
    # The port the README names, and one the demo portals leave free.
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
