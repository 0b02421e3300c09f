"""An issuer on an IP address cannot be a WebAuthn rp id: the passkey screens say so."""

from __future__ import annotations

import pytest

from tests.web.mfa_helpers import text


@pytest.fixture
def app_overrides():
    return {"server.issuer": "http://127.0.0.1:8765"}


def test_passkey_screens_warn_when_the_issuer_is_an_ip_address(client, sign_in, user):
    sign_in("dana.provider")
    for url in ("/register/security", "/register/security/passkey"):
        html = text(client.get(url))
        assert "Passkeys will not work here" in html and "127.0.0.1" in html
        assert "Use http://localhost instead." in html
