"""Step up (SPEC §3.1): a portal with require_phone = true makes a user add a verified phone."""

from __future__ import annotations

import pytest

from idp.store.models import OAuth2Client
from tests.helpers import authorize_url, csrf_token
from tests.web.mfa_helpers import follow_to_callback, text


@pytest.fixture
def phone_portal(db):
    client_row = (
        db.session.query(OAuth2Client).filter_by(client_id="optum-connect-claims-online").one()
    )
    client_row.require_phone = True
    db.session.commit()
    return client_row


@pytest.fixture
def no_phone_user(user_factory):
    return user_factory(username="no.phone", email="nophone@example.com")


def _add_phone(client, number="6125550199", channel="sms"):
    page = client.get("/signin/phone")
    return client.post(
        "/signin/phone",
        data={
            "csrf_token": csrf_token(page.data),
            "country_code": "+1",
            "phone": number,
            "channel": channel,
        },
    )


def _verify(client, code):
    page = client.get("/signin/phone/verify")
    return client.post(
        "/signin/phone/verify", data={"csrf_token": csrf_token(page.data), "code": code}
    )


def test_user_without_a_phone_adds_one_by_text_before_the_portal_gets_a_code(
    client, sign_in, phone_portal, no_phone_user, db, outbox
):
    client.get(authorize_url())
    assert sign_in("no.phone").headers["Location"].endswith("/signin/phone")
    html = text(client.get("/signin/phone"))
    for words in ("Text Message", "Call Me", "Phone number", "Country code"):
        assert words in html
    assert _add_phone(client).headers["Location"].endswith("/signin/phone/verify")
    sms = outbox.one(purpose="phone_step_up")
    assert sms.to == "+16125550199" and sms.channel == "sms"
    page = text(client.get("/signin/phone/verify"))
    assert "Access Code" in page and "Verify" in page and "0199" in page
    query = follow_to_callback(client, _verify(client, sms.code))
    assert query["code"]
    db.session.refresh(no_phone_user)
    assert no_phone_user.phone == "+16125550199" and no_phone_user.phone_verified


def test_call_me_places_a_call_that_reads_the_access_code(
    client, sign_in, phone_portal, no_phone_user, db, outbox
):
    client.get(authorize_url())
    sign_in("no.phone")
    _add_phone(client, channel="call")
    call = outbox.one(purpose="phone_step_up")
    assert call.channel == "voice" and ", ".join(call.code) in call.body
    follow_to_callback(client, _verify(client, call.code))


def test_wrong_access_code_is_refused_and_the_phone_is_not_stored(
    client, sign_in, phone_portal, no_phone_user, db
):
    client.get(authorize_url())
    sign_in("no.phone")
    _add_phone(client)
    response = _verify(client, "000000")
    assert response.status_code == 401
    html = text(response)
    assert "The code you entered is incorrect." in html
    assert 'aria-describedby="code-error"' in html
    db.session.refresh(no_phone_user)
    assert no_phone_user.phone is None and not no_phone_user.phone_verified


def test_invalid_phone_number_is_refused_next_to_the_field(
    client, sign_in, phone_portal, no_phone_user, db, outbox
):
    client.get(authorize_url())
    sign_in("no.phone")
    response = _add_phone(client, number="12")
    assert response.status_code == 400
    html = text(response)
    assert "Enter a valid phone number." in html and 'aria-describedby="phone-error"' in html
    assert outbox.count() == 0


def test_user_with_a_verified_phone_is_not_stepped_up(client, sign_in, phone_portal, user):
    client.get(authorize_url())
    response = sign_in("dana.provider")
    follow_to_callback(client, response)


def test_portal_without_require_phone_does_not_step_up(client, sign_in, no_phone_user):
    client.get(authorize_url())
    follow_to_callback(client, sign_in("no.phone"))


def test_signed_in_user_is_stepped_up_on_the_next_portal_request(
    client, sign_in, phone_portal, no_phone_user, db, outbox
):
    assert sign_in("no.phone").headers["Location"].endswith("/profile")
    response = client.get(authorize_url())
    assert response.headers["Location"].endswith("/signin/phone")
    _add_phone(client)
    sms = outbox.one(purpose="phone_step_up")
    follow_to_callback(client, _verify(client, sms.code))
