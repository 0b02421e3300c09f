"""Verify Phone Number (SPEC §3.4) for a new registrant: by text, by call (answered
through /_qa/voice/answer or the dev inbox), Update Phone Number and Skip."""

from __future__ import annotations

import pytest

from idp.store.models import OneTimeCode, SsoSession, User
from tests.helpers import csrf_token
from tests.web.registration_helpers import (
    continue_after_email,
    continue_after_phone,
    continue_past_security_offer,
    latest,
    post_form,
    register,
    verify_email_by_code,
)

PHONE = "+16125550199"
PAGE = "/register/verify-phone"


@pytest.fixture
def registrant(client):
    """A new registrant whose email is verified: the journey is at Verify Phone Number."""
    register(client)
    verify_email_by_code(client)
    response = continue_after_email(client)
    assert response.headers["Location"].endswith(PAGE)
    return client


def _send(client, method):
    return post_form(client, PAGE, "/register/verify-phone/send", method=method)


def _user(db) -> User:
    db.session.expire_all()
    return db.session.query(User).one()


def test_phone_step_offers_text_or_call_update_and_skip(registrant):
    page = registrant.get(PAGE).get_data(as_text=True)
    for text in ("Verify Phone Number", "0199", "Text Message", "Call Me"):
        assert text in page
    assert "Update Phone Number" in page and ">Skip<" in page


def test_text_message_code_verifies_the_phone_and_signs_in(registrant, db):
    response = _send(registrant, "sms")
    assert response.headers["Location"].endswith(PAGE)
    page = registrant.get(PAGE).get_data(as_text=True)
    # Said once, in the page: no banner repeating it on the first text.
    assert "We sent a new code" not in page
    assert page.count("We have sent you a text message") == 1
    for text in (
        "Waiting for Text Message?",
        "Verification Code",
        ">Verify<",
        "Resend Code",
        "Call to Verify",
        "Update Phone Number",
        ">Skip<",
    ):
        assert text in page, text
    sms = latest(registrant, channel="sms", to=PHONE)
    assert sms["purpose"] == "phone_verification" and len(sms["code"]) == 6
    response = post_form(registrant, PAGE, PAGE, code=sms["code"])
    response = continue_after_phone(registrant, response)
    response = continue_past_security_offer(registrant, response)
    assert response.headers["Location"].endswith("/profile")
    assert _user(db).phone_verified
    assert "quinn.clinician" in registrant.get("/profile").get_data(as_text=True)
    assert db.session.query(SsoSession).one().amr == ["pwd"]


def test_wrong_text_code_is_refused_and_counted(registrant, db):
    _send(registrant, "sms")
    code = latest(registrant, channel="sms", to=PHONE)["code"]
    wrong = "000000" if code != "000000" else "111111"
    response = post_form(registrant, PAGE, PAGE, code=wrong)
    assert response.status_code == 400
    assert "The code you entered is incorrect." in response.get_data(as_text=True)
    assert db.session.query(OneTimeCode).filter_by(purpose="phone_verification").one().attempts == 1
    assert not _user(db).phone_verified


def test_text_code_expires_after_ten_minutes(registrant, clock, db):
    _send(registrant, "sms")
    code = latest(registrant, channel="sms", to=PHONE)["code"]
    clock.advance(minutes=10)
    response = post_form(registrant, PAGE, PAGE, code=code)
    assert "This code has expired." in response.get_data(as_text=True)
    assert not _user(db).phone_verified


def test_text_code_resend_has_a_cool_down(registrant):
    _send(registrant, "sms")
    response = _send(registrant, "sms")
    assert response.status_code == 429 and "Please wait" in response.get_data(as_text=True)


def test_unknown_method_is_refused(registrant):
    response = _send(registrant, "pigeon")
    assert response.status_code == 400
    assert "Choose Text Message or Call Me." in response.get_data(as_text=True)


def test_skip_leaves_the_phone_unverified_and_signs_in(registrant, db):
    response = post_form(registrant, PAGE, "/register/verify-phone/skip")
    response = continue_past_security_offer(registrant, response)
    assert response.headers["Location"].endswith("/profile")
    assert not _user(db).phone_verified
    assert db.session.query(SsoSession).count() == 1


def test_registration_without_a_phone_skips_the_phone_step(client, db):
    register(client, phone="")
    verify_email_by_code(client)
    response = continue_past_security_offer(client, continue_after_email(client))
    assert response.headers["Location"].endswith("/profile")


def test_phone_step_is_only_for_registrants(client, sign_in, user_factory):
    user_factory(username="plain.user", phone="+16125550111", phone_verified=False)
    assert sign_in("plain.user").headers["Location"].endswith("/profile")
    assert client.get(PAGE).headers["Location"].endswith("/profile")


def test_update_phone_number_then_verify_the_new_one(registrant, db):
    page = registrant.get("/register/update-phone").get_data(as_text=True)
    for text in ("Update Phone Number", "Country code", "Phone number", ">Update<", ">Back<"):
        assert text in page
    assert 'value="6125550199"' in page
    response = post_form(
        registrant,
        "/register/update-phone",
        "/register/update-phone",
        country_code="+44",
        phone="020 7946 0018",
    )
    assert response.headers["Location"].endswith(PAGE)
    assert _user(db).phone == "+442079460018"
    assert "Text Message" in registrant.get(PAGE).get_data(as_text=True)
    _send(registrant, "sms")
    code = latest(registrant, channel="sms", to="+442079460018")["code"]
    post_form(registrant, PAGE, PAGE, code=code)
    assert _user(db).phone_verified


@pytest.mark.parametrize("phone", ["", "12", "not a phone", "+1 555"])
def test_update_phone_with_a_bad_number_is_refused(registrant, db, phone):
    response = post_form(
        registrant,
        "/register/update-phone",
        "/register/update-phone",
        country_code="+1",
        phone=phone,
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Enter" in page and 'id="phone-error"' in page
    assert _user(db).phone == PHONE


def test_update_phone_back_returns_to_verify(registrant):
    page = registrant.get("/register/update-phone").get_data(as_text=True)
    assert f'<a class="button" href="{PAGE}">Back</a>' in page


def test_call_shows_the_code_on_screen_and_records_the_call(registrant):
    _send(registrant, "voice")
    call = latest(registrant, channel="voice", to=PHONE)
    assert call["purpose"] == "phone_verification" and len(call["code"]) == 6
    assert "enter the 6-digit code shown on your screen" in call["body"]
    page = registrant.get(PAGE).get_data(as_text=True)
    assert '<p class="call-code" id="call-code"' in page and call["code"] in page
    assert "I have entered the code" in page and "data-call-status-url" in page
    assert page.count("We are calling") == 1
    assert registrant.get("/register/verify-phone/status").json["state"] == "waiting"


def test_resent_text_says_a_new_code_was_sent_once(registrant, clock):
    _send(registrant, "sms")
    clock.advance(seconds=31)
    _send(registrant, "sms")
    page = registrant.get(PAGE).get_data(as_text=True)
    assert page.count("We sent a new code by text message to the phone number ending in 0199.") == 1


def test_answered_call_verifies_the_phone_and_the_page_moves_on(registrant, db):
    _send(registrant, "voice")
    token = csrf_token(registrant.get(PAGE).data)
    code = latest(registrant, channel="voice", to=PHONE)["code"]
    answer = registrant.post("/_qa/voice/answer", json={"to": PHONE, "digits": code + "#"})
    assert answer.status_code == 200
    assert answer.json["result"] == "accepted" and answer.json["purpose"] == "phone_verification"
    # The waiting page's poll claims the answered call and verifies the phone.
    assert registrant.get("/register/verify-phone/status").json["state"] == "verified"
    assert _user(db).phone_verified
    response = registrant.post("/register/verify-phone/call-done", data={"csrf_token": token})
    response = continue_after_phone(registrant, response)
    response = continue_past_security_offer(registrant, response)
    assert response.headers["Location"].endswith("/profile")
    assert db.session.query(SsoSession).count() == 1


def test_wrong_keypad_digits_count_as_wrong_tries(registrant, db):
    _send(registrant, "voice")
    code = latest(registrant, channel="voice", to=PHONE)["code"]
    wrong = "000000" if code != "000000" else "111111"
    answer = registrant.post("/_qa/voice/answer", json={"to": PHONE, "digits": wrong})
    assert answer.json["result"] == "rejected" and answer.json["attempts_left"] == 4
    status = registrant.get("/register/verify-phone/status").json
    assert status["state"] == "rejected" and "did not match" in status["text"]
    for _ in range(3):
        registrant.post("/_qa/voice/answer", json={"to": PHONE, "digits": wrong})
    fifth = registrant.post("/_qa/voice/answer", json={"to": PHONE, "digits": wrong}).json
    assert fifth["result"] == "dead"
    dead = registrant.post("/_qa/voice/answer", json={"to": PHONE, "digits": code}).json
    assert dead["result"] == "dead"
    assert registrant.get("/register/verify-phone/status").json["state"] == "dead"
    assert not _user(db).phone_verified


def test_call_not_yet_answered_keeps_the_user_waiting(registrant, db):
    _send(registrant, "voice")
    response = post_form(registrant, PAGE, "/register/verify-phone/call-done")
    assert response.status_code == 200
    assert "We have not received the code from your phone yet." in response.get_data(as_text=True)
    assert db.session.query(SsoSession).count() == 0


def test_expired_call_is_reported(registrant, clock):
    _send(registrant, "voice")
    code = latest(registrant, channel="voice", to=PHONE)["code"]
    clock.advance(minutes=10)
    assert registrant.get("/register/verify-phone/status").json["state"] == "expired"
    answer = registrant.post("/_qa/voice/answer", json={"to": PHONE, "digits": code})
    assert answer.json["result"] == "expired"


def test_call_to_verify_from_the_text_screen_switches_to_a_call(registrant, clock):
    _send(registrant, "sms")
    sms_code = latest(registrant, channel="sms", to=PHONE)["code"]
    clock.advance(seconds=31)
    _send(registrant, "voice")
    assert "I have entered the code" in registrant.get(PAGE).get_data(as_text=True)
    # The texted code was replaced by the call's.
    response = post_form(registrant, "/register/update-phone", PAGE, code=sms_code)
    assert "The code you entered is incorrect." in response.get_data(as_text=True)


def test_status_without_a_journey_is_401(client):
    response = client.get("/register/verify-phone/status")
    assert response.status_code == 401 and response.json["state"] == "none"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({}, "Missing field(s): to, digits."),
        ({"to": PHONE}, "Missing field(s): digits."),
        ({"to": PHONE, "digits": 123456}, "'digits' must be a string."),
        ({"to": PHONE, "digits": "12ab"}, "keypad characters"),
        ({"to": PHONE, "digits": "#"}, "at least one digit"),
        ({"to": "not a phone", "digits": "123456"}, "'to': Enter a valid phone number."),
        ({"to": PHONE, "digits": "1", "extra": 1}, "Unknown field(s): extra."),
    ],
)
def test_voice_answer_bad_input_is_400(client, body, detail):
    response = client.post("/_qa/voice/answer", json=body)
    assert response.status_code == 400 and response.json["error"] == "invalid_request"
    assert detail in response.json["detail"]


def test_voice_answer_without_json_is_415(client):
    response = client.post("/_qa/voice/answer", data="to=1")
    assert response.status_code == 415


def test_voice_answer_with_no_pending_call_is_404(client, registrant):
    response = client.post("/_qa/voice/answer", json={"to": PHONE, "digits": "123456"})
    assert response.status_code == 404 and response.json["error"] == "not_found"
    assert PHONE in response.json["detail"]
    _send(registrant, "sms")
    texted = client.post("/_qa/voice/answer", json={"to": PHONE, "digits": "123456"})
    assert texted.status_code == 404


def test_voice_answer_takes_a_national_number(registrant, db):
    _send(registrant, "voice")
    code = latest(registrant, channel="voice", to=PHONE)["code"]
    answer = registrant.post("/_qa/voice/answer", json={"to": "612-555-0199", "digits": code})
    assert answer.json["result"] == "accepted" and answer.json["to"] == PHONE


def test_dev_inbox_shows_messages_with_clickable_links_and_answers_calls(registrant, db):
    _send(registrant, "voice")
    page = registrant.get("/_qa/inbox").get_data(as_text=True)
    email = latest(registrant, channel="email")
    assert f'<a href="{email["link"]}">' in page
    assert "Email: Verify your email address for One Healthcare ID" in page
    assert "Phone call" in page and ">Answer call<" in page
    call = latest(registrant, channel="voice")
    assert f'value="{call["code"]}"' in page and 'for="digits-' in page
    response = registrant.post(
        "/_qa/inbox/answer",
        data={"csrf_token": csrf_token(page), "message_id": call["id"], "digits": call["code"]},
    )
    assert response.status_code == 303
    assert registrant.get("/register/verify-phone/status").json["state"] == "verified"
    assert _user(db).phone_verified
    after = registrant.get("/_qa/inbox").get_data(as_text=True)
    assert "The code was accepted." in after and "Call ended." in after
    assert ">Answer call<" not in after


def test_dev_inbox_filters_by_recipient(registrant):
    _send(registrant, "sms")
    page = registrant.get("/_qa/inbox", query_string={"to": PHONE}).get_data(as_text=True)
    assert "Text message" in page and "Email:" not in page


def test_dev_inbox_answer_needs_its_csrf_token(registrant, db):
    _send(registrant, "voice")
    call = latest(registrant, channel="voice")
    response = registrant.post(
        "/_qa/inbox/answer", data={"message_id": call["id"], "digits": call["code"]}
    )
    assert response.status_code == 303
    assert "The form expired or was incomplete." in registrant.get("/_qa/inbox").get_data(
        as_text=True
    )
    assert not _user(db).phone_verified


def test_dev_inbox_answer_with_wrong_digits_says_so(registrant, db):
    _send(registrant, "voice")
    page = registrant.get("/_qa/inbox").get_data(as_text=True)
    call = latest(registrant, channel="voice")
    wrong = "000000" if call["code"] != "000000" else "111111"
    registrant.post(
        "/_qa/inbox/answer",
        data={"csrf_token": csrf_token(page), "message_id": call["id"], "digits": wrong},
    )
    assert "The code you entered is incorrect." in registrant.get("/_qa/inbox").get_data(
        as_text=True
    )
    assert not _user(db).phone_verified
