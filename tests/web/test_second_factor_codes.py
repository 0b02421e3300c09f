"""Text, call and email codes as the second factor (SPEC §3.1 "Verify your identity")."""

from __future__ import annotations

import pytest

from idp.store.models import SsoSession
from tests.helpers import csrf_token
from tests.web.mfa_helpers import send_code, set_up_authenticator, submit_second_factor, text


@pytest.fixture
def mfa_user(client, sign_in, user, clock):
    """dana.provider (verified phone and email) with an authenticator, pending at the step."""
    sign_in("dana.provider")
    set_up_authenticator(client, clock)
    page = client.get("/profile")
    client.post("/signout", data={"csrf_token": csrf_token(page.data)})
    clock.advance(seconds=30)
    sign_in("dana.provider")
    return user


def test_verify_page_offers_each_method_the_user_has(client, mfa_user):
    html = text(client.get("/signin/verify"))
    assert "Verify your identity" in html
    for label in (
        "Text a code to the phone number ending in 0123",
        "Call the phone number ending in 0123",
        "Email a code to d***@example.com",
        "Recovery code",
    ):
        assert label in html
    assert "Passkey" not in html


def test_text_code_as_second_factor(client, mfa_user, db, outbox):
    page = text(client.get("/signin/verify?method=sms"))
    assert "Send Code" in page
    response = send_code(client, "sms")
    assert response.headers["Location"].endswith("/signin/verify?method=sms")
    page = text(client.get("/signin/verify?method=sms"))
    assert "We texted a code to the phone number ending in 0123." in page
    assert "Resend Code" in page
    sms = outbox.one(purpose="mfa")
    assert sms.channel == "sms" and sms.to == "+16125550123"
    assert submit_second_factor(client, "sms", sms.code).headers["Location"].endswith("/profile")
    sso = db.session.query(SsoSession).filter_by(ended_at=None).one()
    assert sso.amr == ["pwd", "sms", "mfa"]


def test_call_as_second_factor_reads_the_code(client, mfa_user, db, outbox):
    assert "Call Me" in text(client.get("/signin/verify?method=call"))
    send_code(client, "call")
    call = outbox.one(purpose="mfa")
    assert call.channel == "voice" and ", ".join(call.code) in call.body
    submit_second_factor(client, "call", call.code)
    sso = db.session.query(SsoSession).filter_by(ended_at=None).one()
    assert sso.amr == ["pwd", "tel", "mfa"]


def test_email_code_as_second_factor(client, mfa_user, db, outbox):
    send_code(client, "email")
    email = outbox.one(purpose="mfa")
    assert email.channel == "email" and email.to == "dana@example.com"
    submit_second_factor(client, "email", email.code)
    sso = db.session.query(SsoSession).filter_by(ended_at=None).one()
    assert sso.amr == ["pwd", "otp", "mfa"]


def test_wrong_text_code_is_refused_and_counts_towards_lockout(client, mfa_user, db):
    send_code(client, "sms")
    response = submit_second_factor(client, "sms", "000000")
    assert response.status_code == 401
    assert "The code you entered is incorrect." in text(response)
    db.session.refresh(mfa_user)
    assert mfa_user.failed_sign_ins == 1


def test_resending_too_soon_says_to_wait(client, mfa_user):
    send_code(client, "sms")
    response = send_code(client, "sms")
    page = text(client.get(response.headers["Location"]))
    assert "Please wait" in page and "seconds before requesting another code." in page


def test_expired_text_code_is_refused(client, mfa_user, db, clock, outbox):
    send_code(client, "sms")
    sms = outbox.one(purpose="mfa")
    clock.advance(minutes=11)
    response = submit_second_factor(client, "sms", sms.code)
    assert response.status_code == 401 and "This code has expired." in text(response)


def test_sending_by_a_method_the_user_lacks_is_refused(client, user_factory, db, sign_in, outbox):
    from tests.helpers import authorize_url

    user_factory(username="no.phone", email="nophone@example.com")
    client.get(authorize_url(acr_values="urn:ohid:loa:2"))
    sign_in("no.phone")
    html = text(client.get("/signin/verify"))
    assert "Text a code" not in html and "Email a code" in html
    send_code(client, "sms", page_url="/signin/verify")
    assert outbox.count(channel="sms") == 0


def test_verify_page_without_a_sign_in_goes_to_sign_in(client):
    assert client.get("/signin/verify").headers["Location"].endswith("/signin")


def test_remove_authenticator_from_my_profile_ends_the_second_factor(
    client, mfa_user, db, clock, outbox
):
    from idp.store.models import TotpAuthenticator

    send_code(client, "email")
    email = outbox.one(purpose="mfa")
    submit_second_factor(client, "email", email.code)
    page = client.get("/profile/security")
    assert "Authenticator apps" in text(page)
    row = (
        db.session.query(TotpAuthenticator).filter(TotpAuthenticator.confirmed_at.isnot(None)).one()
    )
    client.post(
        f"/profile/security/authenticators/{row.id}/remove",
        data={"csrf_token": csrf_token(page.data)},
    )
    assert db.session.query(TotpAuthenticator).count() == 0
    page = client.get("/profile")
    client.post("/signout", data={"csrf_token": csrf_token(page.data)})
    from tests.helpers import SignIn

    assert SignIn(client)("dana.provider").headers["Location"].endswith("/profile")
