"""Fill a database the way a team did with commit b0fa761 (run with THAT commit's code).

``python made_by_b0fa761.py CONFIG`` in an instance folder that b0fa761's own
``mock-ohid init`` made, with b0fa761's checkout first on PYTHONPATH. It uses
only b0fa761's API: its QA API (a user with a password, tokens), its passkey
ceremony answered by its own soft authenticator, and a debugger run as its
debugger stored one (with the client secret, its URIs added to the client).
It prints what a later test needs to sign in again, as JSON.
"""

from __future__ import annotations

import json
import secrets
import sys
from datetime import UTC, datetime

from idp.models import DebuggerRun, OAuth2Client

from idp import create_app
from idp.extensions import db
from idp.lifecycle.accounts import find_by_username
from idp.lifecycle.passkeys import begin_passkey_registration, finish_passkey_registration
from tests.softkey import SoftAuthenticator

USERNAME, PASSWORD = "legacy.user", "Legacy-Pass1"


def main(config: str) -> None:
    app = create_app(config_file=config)
    client = app.test_client()
    made = client.post(
        "/_qa/users",
        json={
            "username": USERNAME,
            "email": "legacy.user@example.com",
            "password": PASSWORD,
            "first_name": "Lee",
            "last_name": "Gacy",
            "email_verified": True,
        },
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    tokens = client.post(
        "/_qa/tokens",
        json={
            "username": USERNAME,
            "client_id": "optum-connect-claims-online",
            "scope": "openid profile email offline_access",
        },
    )
    assert tokens.status_code == 200, tokens.get_data(as_text=True)
    with app.app_context():
        user = find_by_username(USERNAME)
        ceremony_id, options = begin_passkey_registration(user)
        issuer = app.extensions["mock_ohid.settings"].issuer
        authenticator = SoftAuthenticator(origin=issuer)
        answer = authenticator.create(options)
        finish_passkey_registration(user, ceremony_id, json.dumps(answer))
        held = authenticator.credentials[0]
        # What b0fa761's debugger left behind after a login with a registered client.
        portal = db.session.execute(
            db.select(OAuth2Client).filter_by(client_id="legacy-portal")
        ).scalar_one()
        portal.metadata_json = {
            **portal.metadata_json,
            "redirect_uris": [*portal.redirect_uris, issuer + "/_qa/debugger/callback"],
            "post_logout_redirect_uris": [issuer + "/_qa/debugger/signed-out"],
        }
        db.session.add(
            DebuggerRun(
                id=secrets.token_urlsafe(24),
                state=secrets.token_urlsafe(24),
                client_id="legacy-portal",
                created_at=datetime.now(UTC),
                data={
                    "client": {
                        "client_id": "legacy-portal",
                        "secret": "typed-into-the-debugger",
                        "method": "client_secret_basic",
                    },
                    "steps": [],
                },
            )
        )
        db.session.commit()
    from cryptography.hazmat.primitives import serialization

    print(
        json.dumps(
            {
                "username": USERNAME,
                "password": PASSWORD,
                "tokens": tokens.get_json(),
                "passkey": {
                    "credential_id": answer["id"],
                    "private_key": held.private_key.private_bytes(
                        serialization.Encoding.PEM,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    ).decode(),
                    "rp_id": held.rp_id,
                    "user_handle": options["user"]["id"],
                    "sign_count": held.sign_count,
                },
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
