"""Helpers for multi-factor flow tests: read pages, drive setup and sign-in steps."""

from __future__ import annotations

import re

from idp.crypto import totp
from tests.helpers import csrf_token, query_of

SECRET_RE = re.compile(r"data-totp-secret>([A-Z2-7 ]+)<")
RECOVERY_RE = re.compile(r"data-recovery-code>([\d ]+)<")


def text(response) -> str:
    return response.get_data(as_text=True)


def secret_on(page) -> str:
    match = SECRET_RE.search(text(page))
    assert match, "page shows no authenticator secret"
    return match.group(1).replace(" ", "")


def recovery_code_on(page) -> str | None:
    match = RECOVERY_RE.search(text(page))
    return match.group(1).replace(" ", "") if match else None


def current_code(secret: str, clock) -> str:
    return totp.code_at(secret, clock.now())


def set_up_authenticator(client, clock):
    """From a signed-in (or registering) browser: returns (secret, confirmation page)."""
    page = client.get("/register/security/authenticator")
    assert page.status_code == 200, text(page)
    secret = secret_on(page)
    done = client.post(
        "/register/security/authenticator",
        data={"csrf_token": csrf_token(page.data), "code": current_code(secret, clock)},
    )
    assert done.status_code == 200, text(done)
    return secret, done


def submit_second_factor(client, method: str, code: str, remember: bool = False):
    url = f"/signin/verify?method={method}"
    page = client.get(url)
    data = {"csrf_token": csrf_token(page.data), "code": code}
    if remember:
        data["remember"] = "y"
    return client.post(url, data=data)


def send_code(client, method: str, url: str = "/signin/verify/send", page_url=None):
    page = client.get(page_url or f"/signin/verify?method={method}")
    return client.post(url, data={"csrf_token": csrf_token(page.data), "method": method})


def follow_to_callback(client, response, redirect_uri: str = "http://localhost:5001/callback"):
    """Follow same-site redirects until the portal's callback; return its query."""
    for _ in range(10):
        location = response.headers.get("Location", "")
        if location.startswith(redirect_uri):
            return query_of(location)
        assert response.status_code in (302, 303), (response.status_code, text(response)[:500])
        response = client.get(location)
    raise AssertionError("no redirect to the portal")
