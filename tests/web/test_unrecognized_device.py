"""The unrecognized-device step (SPEC §3.1), turned on with security.unrecognized_device_check."""

from __future__ import annotations

import pytest

from idp.lifecycle.security_questions import set_security_answers
from idp.store import db as _db
from idp.store.models import RememberedDevice
from tests.helpers import SignIn, csrf_token, sign_out
from tests.web.mfa_helpers import text

PERSONAL = "Skip this step when signing in because this device is personal or private"
ANSWERS = [
    ("What is the name of your first pet?", "Rex"),
    ("What city were you born in?", "Duluth"),
    ("What is your mother's maiden name?", "Smith"),
]


@pytest.fixture
def app_overrides():
    return {"security.unrecognized_device_check": True}


@pytest.fixture
def answered(user):
    set_security_answers(user, ANSWERS)
    _db.session.commit()
    return user


def _answer_for(page_html: str) -> str:
    for question, answer in ANSWERS:
        if question.replace("'", "&#39;") in page_html:
            return answer
    raise AssertionError("no security question on the page")


def _answer(client, answer: str, personal: bool = False):
    page = client.get("/signin/device")
    data = {"csrf_token": csrf_token(page.data), "answer": answer}
    if personal:
        data["personal"] = "y"
    return client.post("/signin/device", data=data)


def test_new_browser_is_asked_a_security_question(client, sign_in, answered):
    response = sign_in("dana.provider")
    assert response.headers["Location"].endswith("/signin/device")
    html = text(client.get("/signin/device"))
    assert "Unrecognized device" in html and PERSONAL in html
    assert _answer_for(html)


def test_the_question_does_not_change_on_reload(client, sign_in, answered):
    sign_in("dana.provider")
    first = _answer_for(text(client.get("/signin/device")))
    for _ in range(5):
        assert _answer_for(text(client.get("/signin/device"))) == first


def test_answered_then_skipped_on_this_browser_and_asked_again_on_a_new_one(
    app, client, sign_in, answered, db
):
    sign_in("dana.provider")
    answer = _answer_for(text(client.get("/signin/device")))
    response = _answer(client, answer.upper(), personal=True)
    assert response.headers["Location"].endswith("/profile")
    assert "ohid_device=" in response.headers["Set-Cookie"]
    assert db.session.query(RememberedDevice).filter_by(purpose="device").count() == 1

    sign_out(client)
    assert sign_in("dana.provider").headers["Location"].endswith("/profile")

    new_browser = app.test_client()
    assert SignIn(new_browser)("dana.provider").headers["Location"].endswith("/signin/device")


def test_without_the_box_ticked_the_browser_is_asked_again(client, sign_in, answered):
    sign_in("dana.provider")
    _answer(client, _answer_for(text(client.get("/signin/device"))))
    sign_out(client)
    assert sign_in("dana.provider").headers["Location"].endswith("/signin/device")


def test_wrong_answer_is_refused_next_to_the_field_and_counts_towards_lockout(
    client, sign_in, answered, db
):
    sign_in("dana.provider")
    response = _answer(client, "Not it")
    assert response.status_code == 401
    html = text(response)
    assert "The answer you entered is incorrect." in html
    assert 'aria-describedby="answer-error security-question"' in html
    db.session.refresh(answered)
    assert answered.failed_sign_ins == 1


def test_five_wrong_answers_lock_the_account(client, sign_in, answered, db):
    sign_in("dana.provider")
    for _ in range(4):
        _answer(client, "Not it")
    response = _answer(client, "Not it")
    assert response.status_code == 403
    assert "Your One Healthcare ID is locked" in text(response)


def test_empty_answer_is_asked_for(client, sign_in, answered):
    sign_in("dana.provider")
    response = _answer(client, "")
    assert response.status_code == 400 and "Answer this security question." in text(response)


def test_text_code_instead_of_a_question(client, sign_in, answered, db, outbox):
    sign_in("dana.provider")
    page = client.get("/signin/device?method=sms")
    html = text(page)
    assert "Text a code to the phone number ending in 0123" in html
    client.post("/signin/device/send", data={"csrf_token": csrf_token(page.data), "method": "sms"})
    sms = outbox.one(purpose="device_check")
    assert sms.channel == "sms" and sms.to == "+16125550123"
    response = _answer(client, sms.code, personal=True)
    assert response.headers["Location"].endswith("/profile")


def test_call_reads_the_code_to_type_on_the_page(client, sign_in, answered, db, outbox):
    sign_in("dana.provider")
    page = client.get("/signin/device?method=call")
    assert "Call Me" in text(page)
    client.post("/signin/device/send", data={"csrf_token": csrf_token(page.data), "method": "call"})
    call = outbox.one(purpose="device_check")
    assert call.channel == "voice" and ", ".join(call.code) in call.body
    assert _answer(client, call.code).headers["Location"].endswith("/profile")


def test_account_without_questions_or_phone_gets_an_email_code(client, user_factory, db, outbox):
    user_factory(username="plain.user", email="plain@example.com")
    SignIn(client)("plain.user")
    page = client.get("/signin/device")
    assert "Email a code to p***@example.com" in text(page)
    client.post(
        "/signin/device/send", data={"csrf_token": csrf_token(page.data), "method": "email"}
    )
    email = outbox.one(purpose="device_check")
    assert _answer(client, email.code).headers["Location"].endswith("/profile")


def test_forgetting_the_device_from_my_profile_asks_again(client, sign_in, answered, db):
    sign_in("dana.provider")
    _answer(client, _answer_for(text(client.get("/signin/device"))), personal=True)
    page = client.get("/profile/security")
    assert "Remembered devices" in text(page) and "personal or private device" in text(page)
    device = db.session.query(RememberedDevice).one()
    client.post(
        f"/profile/security/devices/{device.id}/forget",
        data={"csrf_token": csrf_token(page.data)},
    )
    assert db.session.query(RememberedDevice).count() == 0
    sign_out(client)
    assert sign_in("dana.provider").headers["Location"].endswith("/signin/device")
