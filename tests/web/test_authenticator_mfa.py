"""Authenticator setup and password + authenticator sign-in (SPEC §3.1, §3.5)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from idp.store.models import AuditEvent, SsoSession, TotpAuthenticator
from tests.helpers import authorize_url, csrf_token, pkce_pair
from tests.oidc.portal import decode_id_token, exchange
from tests.web.mfa_helpers import (
    current_code,
    follow_to_callback,
    recovery_code_on,
    secret_on,
    set_up_authenticator,
    submit_second_factor,
    text,
)

LOCKED = "Your One Healthcare ID is locked because of too many failed sign-in attempts."


@pytest.fixture
def with_authenticator(client, sign_in, user, clock):
    """dana.provider with a confirmed authenticator app, signed out; returns the secret."""
    sign_in("dana.provider")
    secret, _ = set_up_authenticator(client, clock)
    page = client.get("/profile")
    client.post("/signout", data={"csrf_token": csrf_token(page.data)})
    # A new time step, so the code used at setup is not a replay.
    clock.advance(seconds=30)
    return secret


def test_security_screen_offers_passkey_and_authenticator_setup(client, sign_in, user):
    sign_in("dana.provider")
    page = text(client.get("/register/security"))
    assert "Switch to faster and more secure sign-in methods" in page
    for words in ("Passkey", "Authenticator", "Setup", "Continue"):
        assert words in page


def test_security_screen_continue_goes_to_my_profile_when_signed_in(client, sign_in, user):
    sign_in("dana.provider")
    page = client.get("/register/security")
    response = client.post("/register/security", data={"csrf_token": csrf_token(page.data)})
    assert response.headers["Location"].endswith("/profile")


def test_security_screen_needs_a_signed_in_user(client, user):
    assert client.get("/register/security").headers["Location"].endswith("/signin")


def test_authenticator_setup_shows_qr_code_uri_and_secret(client, sign_in, user, db):
    sign_in("dana.provider")
    page = client.get("/register/security/authenticator")
    html = text(page)
    assert "Authenticator Setup" in html
    assert "<svg" in html and "QR code for your authenticator app" in html
    secret = secret_on(page)
    row = db.session.query(TotpAuthenticator).one()
    assert row.secret == secret and row.confirmed_at is None


def test_authenticator_setup_qr_encodes_the_otpauth_uri(client, sign_in, user, db):
    from idp.lifecycle.authenticators import provisioning_uri

    sign_in("dana.provider")
    client.get("/register/security/authenticator")
    row = db.session.query(TotpAuthenticator).one()
    uri = provisioning_uri(user, row)
    assert unquote(uri).startswith("otpauth://totp/One Healthcare ID:dana.provider?")
    assert "issuer=One%20Healthcare%20ID" in uri


def test_authenticator_setup_confirmed_by_current_code_shows_success_and_recovery_code(
    client, sign_in, user, clock, db
):
    sign_in("dana.provider")
    _, done = set_up_authenticator(client, clock)
    html = text(done)
    assert "Your authenticator app is set up." in html
    assert "Save your recovery code" in html
    code = recovery_code_on(done)
    assert code is not None and len(code) == 16 and code.isdigit()
    assert db.session.query(TotpAuthenticator).one().confirmed_at is not None
    assert "Continue" in html


def test_authenticator_setup_with_a_wrong_code_says_so_next_to_the_field(client, sign_in, user, db):
    sign_in("dana.provider")
    page = client.get("/register/security/authenticator")
    response = client.post(
        "/register/security/authenticator",
        data={"csrf_token": csrf_token(page.data), "code": "12345"},
    )
    assert response.status_code == 401
    html = text(response)
    assert "The code you entered is incorrect." in html
    assert 'aria-describedby="code-error"' in html
    assert db.session.query(TotpAuthenticator).one().confirmed_at is None


def test_authenticator_setup_with_an_empty_code_asks_for_it(client, sign_in, user):
    sign_in("dana.provider")
    page = client.get("/register/security/authenticator")
    response = client.post(
        "/register/security/authenticator", data={"csrf_token": csrf_token(page.data), "code": ""}
    )
    assert response.status_code == 400 and "Enter the code." in text(response)


def test_second_authenticator_does_not_show_a_new_recovery_code(client, sign_in, user, clock):
    sign_in("dana.provider")
    set_up_authenticator(client, clock)
    clock.advance(seconds=30)
    _, done = set_up_authenticator(client, clock)
    assert "Your authenticator app is set up." in text(done)
    assert recovery_code_on(done) is None


def test_password_then_authenticator_code_signs_in(client, sign_in, with_authenticator, clock):
    response = sign_in("dana.provider")
    assert response.headers["Location"].endswith("/signin/verify")
    page = text(client.get("/signin/verify"))
    assert "Verify your identity" in page and "Authenticator Code" in page
    response = submit_second_factor(
        client, "authenticator", current_code(with_authenticator, clock)
    )
    assert response.headers["Location"].endswith("/profile")


def test_portal_id_token_after_password_and_totp_says_otp_and_mfa(
    client, sign_in, with_authenticator, clock
):
    verifier, challenge = pkce_pair()
    client.get(authorize_url(code_challenge=challenge, code_challenge_method="S256", nonce="n1"))
    sign_in("dana.provider")
    response = submit_second_factor(
        client, "authenticator", current_code(with_authenticator, clock)
    )
    query = follow_to_callback(client, response)
    tokens = exchange(client, query["code"], verifier).json
    claims = decode_id_token(client, tokens["id_token"])["claims"]
    assert set(claims["amr"]) == {"pwd", "otp", "mfa"}
    assert claims["acr"] == "urn:ohid:loa:2"


def test_password_only_id_token_has_single_factor_acr(client, sign_in, user):
    client.get(authorize_url())
    response = sign_in("dana.provider")
    query = follow_to_callback(client, response)
    claims = decode_id_token(client, exchange(client, query["code"]).json["id_token"])["claims"]
    assert claims["amr"] == ["pwd"] and claims["acr"] == "urn:ohid:loa:1"


def test_totp_code_cannot_be_used_twice_in_the_same_time_step(
    client, sign_in, with_authenticator, clock
):
    code = current_code(with_authenticator, clock)
    sign_in("dana.provider")
    assert submit_second_factor(client, "authenticator", code).status_code == 302
    page = client.get("/profile")
    client.post("/signout", data={"csrf_token": csrf_token(page.data)})
    clock.advance(seconds=5)
    sign_in("dana.provider")
    response = submit_second_factor(client, "authenticator", code)
    assert response.status_code == 401
    assert "That code has already been used." in text(response)


def test_wrong_authenticator_code_is_refused_next_to_the_field(client, sign_in, with_authenticator):
    sign_in("dana.provider")
    response = submit_second_factor(client, "authenticator", "000000")
    assert response.status_code == 401
    html = text(response)
    assert "The code you entered is incorrect." in html
    assert 'aria-describedby="code-error"' in html


def test_five_wrong_second_factor_codes_lock_the_account(
    client, sign_in, with_authenticator, clock, db, user
):
    sign_in("dana.provider")
    for _ in range(4):
        assert submit_second_factor(client, "authenticator", "000000").status_code == 401
    response = submit_second_factor(client, "authenticator", "000000")
    assert response.status_code == 403
    assert LOCKED in text(response)
    db.session.refresh(user)
    assert user.locked_until is not None
    # The pending sign-in is gone and the right password is refused while locked.
    assert client.get("/signin/verify").headers["Location"].endswith("/signin")
    assert LOCKED in text(sign_in("dana.provider"))
    assert db.session.query(SsoSession).filter_by(ended_at=None).count() == 0


def test_wrong_codes_and_wrong_passwords_share_the_lockout_count(
    client, sign_in, with_authenticator, db, user
):
    sign_in("dana.provider")
    submit_second_factor(client, "authenticator", "000000")
    db.session.refresh(user)
    assert user.failed_sign_ins == 1
    kinds = [e.kind for e in db.session.query(AuditEvent).all()]
    assert "verification_failed" in kinds


def test_remember_this_device_skips_the_second_factor_on_this_browser_only(
    client, app, sign_in, with_authenticator, clock
):
    sign_in("dana.provider")
    response = submit_second_factor(
        client, "authenticator", current_code(with_authenticator, clock), remember=True
    )
    assert "ohid_device=" in response.headers.get("Set-Cookie", "")
    page = client.get("/profile")
    client.post("/signout", data={"csrf_token": csrf_token(page.data)})
    assert sign_in("dana.provider").headers["Location"].endswith("/profile")

    other = app.test_client()
    from tests.helpers import SignIn

    assert SignIn(other)("dana.provider").headers["Location"].endswith("/signin/verify")


def test_remembered_device_expires_after_the_configured_days(
    client, sign_in, with_authenticator, clock
):
    sign_in("dana.provider")
    submit_second_factor(
        client, "authenticator", current_code(with_authenticator, clock), remember=True
    )
    page = client.get("/profile")
    client.post("/signout", data={"csrf_token": csrf_token(page.data)})
    clock.advance(days=31)
    assert sign_in("dana.provider").headers["Location"].endswith("/signin/verify")


def test_acr_values_asking_for_mfa_forces_the_step_even_on_a_remembered_device(
    client, sign_in, with_authenticator, clock
):
    sign_in("dana.provider")
    submit_second_factor(
        client, "authenticator", current_code(with_authenticator, clock), remember=True
    )
    page = client.get("/profile")
    client.post("/signout", data={"csrf_token": csrf_token(page.data)})
    clock.advance(seconds=30)
    client.get(authorize_url(acr_values="urn:ohid:loa:2"))
    assert sign_in("dana.provider").headers["Location"].endswith("/signin/verify")


def test_acr_values_mfa_makes_a_password_only_user_verify_by_text(
    client, sign_in, user, db, outbox
):

    client.get(authorize_url(acr_values="urn:ohid:loa:2"))
    assert sign_in("dana.provider").headers["Location"].endswith("/signin/verify")
    page = text(client.get("/signin/verify"))
    assert "Text a code to the phone number ending in 0123" in page
    assert "Authenticator app" not in page
    from tests.web.mfa_helpers import send_code

    send_code(client, "sms")
    sms = outbox.one(channel="sms", purpose="mfa")
    response = submit_second_factor(client, "sms", sms.code)
    query = follow_to_callback(client, response)
    claims = decode_id_token(client, exchange(client, query["code"]).json["id_token"])["claims"]
    assert set(claims["amr"]) == {"pwd", "sms", "mfa"}
    assert claims["acr"] == "urn:ohid:loa:2"


def test_signed_in_user_is_stepped_up_when_a_portal_asks_for_mfa(client, sign_in, user, db, outbox):

    from tests.web.mfa_helpers import send_code

    sign_in("dana.provider")
    response = client.get(authorize_url(acr_values="urn:ohid:loa:2"))
    assert response.headers["Location"].endswith("/signin/verify")
    send_code(client, "email")
    email = outbox.one(channel="email", purpose="mfa")
    response = submit_second_factor(client, "email", email.code)
    query = follow_to_callback(client, response)
    claims = decode_id_token(client, exchange(client, query["code"]).json["id_token"])["claims"]
    assert set(claims["amr"]) == {"pwd", "otp", "mfa"}
    sso = db.session.query(SsoSession).one()
    assert "mfa" in sso.amr and sso.acr == "urn:ohid:loa:2"


def test_discovery_lists_the_acr_values(client):
    meta = client.get("/.well-known/openid-configuration").json
    assert meta["acr_values_supported"] == ["urn:ohid:loa:1", "urn:ohid:loa:2"]


def test_account_locked_elsewhere_stops_a_pending_sign_in_even_with_the_right_code(
    client, sign_in, with_authenticator, clock, db, user
):
    from datetime import timedelta

    sign_in("dana.provider")
    user.locked_until = clock.now() + timedelta(minutes=30)
    db.session.commit()
    response = submit_second_factor(
        client, "authenticator", current_code(with_authenticator, clock)
    )
    assert response.status_code == 403 and LOCKED in text(response)
    assert db.session.query(SsoSession).filter_by(ended_at=None).count() == 0
