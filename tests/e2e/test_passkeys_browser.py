"""Passkeys in a real headless Chromium with its virtual authenticator (CDP WebAuthn).

The authenticator is ctap2 over the internal transport, with resident keys and
user verification, so the passkey is discoverable and signs in on its own.
"""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

pytestmark = pytest.mark.browser

CLIENT_ID = "optum-connect-claims-online"
SECRET = "claims-online-demo-secret"
CALLBACK = "http://localhost:5001/callback"


def _sign_in_with_password(page, base: str) -> None:
    page.goto(f"{base}/signin")
    page.get_by_label("One Healthcare ID or Email Address").fill("demo.provider")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill("Password1")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}/profile")


def _register_passkey(page, base: str) -> None:
    page.goto(f"{base}/register/security")
    page.get_by_role("heading", name="Switch to faster and more secure sign-in methods").wait_for()
    page.locator("tr[data-method=passkey]").get_by_role("link", name="Setup").click()
    page.get_by_role("heading", name="Passkey Setup").wait_for()
    page.get_by_role("button", name="Create a passkey").click()
    page.get_by_text("Your passkey is set up.").wait_for()
    code = page.locator("[data-recovery-code]").inner_text().replace(" ", "")
    assert len(code) == 16 and code.isdigit()
    # Set up from My Profile: Continue goes back to My Profile's security methods.
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(f"{base}/profile/security")


def _sign_out(page, base: str) -> None:
    page.goto(f"{base}/profile")
    page.get_by_role("button", name="Sign Out").click()
    page.wait_for_url(f"{base}/signin?signed_out=1")


def _id_token_claims(base: str, code: str) -> dict:
    basic = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    response = requests.post(
        f"{base}/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK},
        headers={"Authorization": f"Basic {basic}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    keys = KeySet.import_key_set(requests.get(f"{base}/.well-known/jwks.json", timeout=10).json())
    return jwt.decode(response.json()["id_token"], keys, algorithms=["RS256", "ES256"]).claims


def test_passkey_registered_then_signs_in_alone_and_to_a_portal(
    live_server, page, virtual_authenticator
):
    base = live_server.url
    _sign_in_with_password(page, base)
    _register_passkey(page, base)
    stored = virtual_authenticator.credentials()
    assert len(stored) == 1 and stored[0]["isResidentCredential"] is True
    assert stored[0]["rpId"] == "localhost"

    # Sign out, then back in with the passkey alone: no ID typed.
    _sign_out(page, base)
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url(f"{base}/profile")
    page.get_by_role("heading", name="My Profile").wait_for()
    assert virtual_authenticator.credentials()[0]["signCount"] >= 1

    # A portal login finished by the passkey: the ID token says hwk (or swk).
    _sign_out(page, base)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": CALLBACK,
            "scope": "openid profile",
            "state": "pk1",
            "nonce": "nonce-pk1",
        }
    )
    page.goto(f"{base}/authorize?{query}")
    # Nothing listens on the portal's port: the redirect to it is what counts.
    with page.expect_request(lambda request: request.url.startswith(CALLBACK)) as sent:
        page.get_by_role("button", name="Sign in with a passkey").click()
    answer = parse_qs(urlsplit(sent.value.url).query)
    assert answer["state"] == ["pk1"]
    claims = _id_token_claims(base, answer["code"][0])
    assert {"hwk", "swk"} & set(claims["amr"])
    assert "mfa" in claims["amr"] and claims["acr"] == "urn:ohid:loa:2"
    assert claims["nonce"] == "nonce-pk1" and claims["preferred_username"] == "demo.provider"


def test_passkey_as_the_second_factor_after_the_password(live_server, page, virtual_authenticator):
    base = live_server.url
    _sign_in_with_password(page, base)
    _register_passkey(page, base)
    _sign_out(page, base)
    page.get_by_label("One Healthcare ID or Email Address").fill("demo.provider")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill("Password1")
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name="Verify your identity").wait_for()
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url(f"{base}/profile")


def test_authenticator_setup_and_sign_in_with_a_code(live_server, page):
    base = live_server.url
    _sign_in_with_password(page, base)
    page.goto(f"{base}/register/security")
    page.locator("tr[data-method=authenticator]").get_by_role("link", name="Setup").click()
    page.get_by_role("heading", name="Authenticator Setup").wait_for()
    assert page.locator("figure.qr svg").count() == 1
    totp = requests.get(f"{base}/_qa/users/demo.provider/totp", timeout=10)
    # Not confirmed yet: the QA API only reports working authenticators.
    assert totp.status_code == 404
    secret = page.locator("[data-totp-secret]").inner_text().replace(" ", "")
    import pyotp

    page.get_by_label("Verification Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verify").click()
    page.get_by_text("Your authenticator app is set up.").wait_for()
    assert (
        requests.get(f"{base}/_qa/users/demo.provider/totp", timeout=10).json()["secret"] == secret
    )
