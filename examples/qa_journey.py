"""A whole OHID journey scripted over plain HTTP (no browser), as a QA engineer would.

A portal sends the user to Create One Healthcare ID (prompt=create); the script
fills the form, reads the email activation code and the SMS code from the QA
outbox, sets up an authenticator app on "Switch to faster and more secure
sign-in methods", lands back at the portal with a code, exchanges it, and
prints the ID token's claims.

    pip install mock-ohid pyotp && mock-ohid serve      # in another terminal
    python examples/qa_journey.py [ISSUER]              # default http://localhost:8765
"""

from __future__ import annotations

import re
import secrets
import sys
from html import unescape
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pyotp
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

CLIENT_ID = "optum-connect-claims-online"
CLIENT_SECRET = "claims-online-demo-secret"
CALLBACK = "http://localhost:5001/callback"


class Browser:
    """A cookie-keeping HTTP client that fills forms the way a person does."""

    def __init__(self, issuer: str):
        self.issuer = issuer
        self.http = requests.Session()

    def get(self, path: str) -> requests.Response:
        return self.http.get(urljoin(self.issuer, path), allow_redirects=False, timeout=10)

    def submit(self, page_path: str, action: str, **fields) -> requests.Response:
        """GET the page for its CSRF token, then POST the form to ``action``."""
        page = self.get(page_path)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        fields["csrf_token"] = unescape(token.group(1))
        return self.http.post(
            urljoin(self.issuer, action), data=fields, allow_redirects=False, timeout=10
        )

    def follow(self, response: requests.Response) -> str:
        """Follow redirects until one leaves the IdP; return where it went."""
        while response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            if not target.startswith(self.issuer):
                return target
            response = self.get(target)
        return response.url


def qa(issuer: str, path: str, **params) -> dict:
    """Read the QA API (the outbox holds every email, text and call)."""
    response = requests.get(f"{issuer}/_qa{path}", params=params, timeout=10)
    response.raise_for_status()
    return response.json()


def main(issuer: str) -> dict:
    suffix = secrets.token_hex(3)
    username, email, phone = f"qa.journey.{suffix}", f"qa.{suffix}@example.com", "6125550142"
    browser = Browser(issuer)

    # 1. The portal asks OHID to create an account (prompt=create).
    browser.get(
        "/authorize?"
        + urlencode(
            {
                "response_type": "code",
                "client_id": CLIENT_ID,
                "redirect_uri": CALLBACK,
                "scope": "openid profile email phone",
                "state": "qa-state",
                "nonce": "qa-nonce",
                "prompt": "create",
            }
        )
    )

    # 2. Create One Healthcare ID.
    response = browser.submit(
        "/register",
        "/register",
        **{
            "first_name": "Quinn",
            "last_name": "Tester",
            "year_of_birth": "1985",
            "email": email,
            "username": username,
            "password": "Welcome2Ohid",
            "password_again": "Welcome2Ohid",
            "country_code": "+1",
            "phone": phone,
            "question_1": "What is the name of your first pet?",
            "answer_1": "Rex",
            "question_2": "What city were you born in?",
            "answer_2": "Duluth",
            "question_3": "What was the make of your first car?",
            "answer_3": "Saab",
            "agreed": "y",
        },
    )
    assert response.headers["Location"].endswith("/register/verify-email"), response.text[:500]

    # 3. Verify Your Email Address with the 10-digit activation code from the outbox.
    activation = qa(issuer, "/outbox/latest", channel="email", to=email, purpose="email_activation")
    browser.submit("/register/verify-email", "/register/verify-email", code=activation["code"])
    browser.submit("/register/email-verified", "/register/continue")

    # 4. Verify Phone Number by text message.
    browser.submit("/register/verify-phone", "/register/verify-phone/send", method="sms")
    sms = qa(issuer, "/outbox/latest", channel="sms", to="+1" + phone)
    response = browser.submit("/register/verify-phone", "/register/verify-phone", code=sms["code"])
    assert response.headers["Location"].endswith("/register/phone-verified")
    response = browser.submit("/register/phone-verified", "/register/continue")
    assert response.headers["Location"].endswith("/register/security")

    # 5. Authenticator Setup: read the secret shown as text, confirm with a current code.
    page = browser.get("/register/security/authenticator").text
    secret = re.search(r"data-totp-secret>([^<]+)<", page).group(1).replace(" ", "")
    browser.submit(
        "/register/security/authenticator",
        "/register/security/authenticator",
        code=pyotp.TOTP(secret).now(),
    )
    response = browser.submit("/register/security", "/register/security")

    # 6. Back at the portal with a code; exchange it like a portal would.
    callback = browser.follow(response)
    query = {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}
    assert callback.startswith(CALLBACK) and query["state"] == "qa-state", callback
    tokens = requests.post(
        f"{issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": CALLBACK,
        },
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=10,
    ).json()
    keys = KeySet.import_key_set(requests.get(f"{issuer}/.well-known/jwks.json", timeout=10).json())
    claims = jwt.decode(tokens["id_token"], keys, algorithms=["RS256", "ES256"]).claims
    print(
        f"signed in to {CLIENT_ID} as {claims['preferred_username']}: amr={claims['amr']}, "
        f"acr={claims['acr']}, phone_number_verified={claims['phone_number_verified']}"
    )
    return claims


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://localhost:8765")
