"""A whole OHID journey scripted over plain HTTP (no browser), as a QA engineer would.

A portal sends the user to Create One Healthcare ID (prompt=create); the journey
helper fills the form, reads the activation code and the text code from the QA
outbox, lands back at the portal with a code, and exchanges it. Then the script
gives the new user an authenticator app through the QA API and signs in again,
answering "Verify your identity" with the app's current code.

    pip install mock-ohid && mock-ohid serve      # in another terminal
    python examples/qa_journey.py [ISSUER]        # default http://localhost:8765
"""

from __future__ import annotations

import secrets
import sys

import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from idp.testing import QAClient
from idp.testing.journey import Journey

PORTAL = {
    "client_id": "optum-connect-claims-online",
    "redirect_uri": "http://localhost:5001/callback",
}
CLIENT_SECRET = "claims-online-demo-secret"
PASSWORD = "Welcome2Ohid"


def id_token_claims(issuer: str, tokens: dict) -> dict:
    keys = KeySet.import_key_set(requests.get(f"{issuer}/.well-known/jwks.json", timeout=10).json())
    return jwt.decode(tokens["id_token"], keys, algorithms=["RS256", "ES256"]).claims


def main(issuer: str) -> dict:
    qa = QAClient(issuer)
    suffix = secrets.token_hex(3)
    username, email = f"qa.journey.{suffix}", f"qa.{suffix}@example.com"

    # 1. Create One Healthcare ID from the portal; the phone is verified by text message.
    journey = Journey(issuer, qa)
    callback = journey.register(
        **PORTAL,
        username=username,
        email=email,
        password=PASSWORD,
        phone="6125550142",
        phone_by="sms",
        scope="openid profile email phone",
    )
    claims = id_token_claims(issuer, journey.exchange(callback, CLIENT_SECRET))
    print(f"registered {claims['preferred_username']}: pages {' > '.join(journey.trail)}")

    # 2. Give the user an authenticator app, then sign in again with its code.
    qa.add_factor(username, "totp")
    journey = Journey(issuer, qa)
    callback = journey.sign_in(
        username,
        "Welcome2Ohid",
        **PORTAL,
        scope="openid profile phone",
        second_factor="authenticator",
    )
    claims = id_token_claims(issuer, journey.exchange(callback, CLIENT_SECRET))
    print(
        f"signed in to {PORTAL['client_id']} as {claims['preferred_username']}: "
        f"amr={claims['amr']}, acr={claims['acr']}, "
        f"phone_number_verified={claims['phone_number_verified']}"
    )
    return claims


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://localhost:8765")
