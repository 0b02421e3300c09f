"""Notifications (SPEC §3.7) land in the outbox; verification calls take keypad digits."""

from __future__ import annotations

import pytest

from idp.errors import CallNotAnswered, NoPendingCall
from idp.lifecycle.notifications import preferences, set_preferences
from idp.lifecycle.voice import answer_call, call_status, confirm_call, start_call
from idp.store import db
from tests.web.recovery_steps import Recovery, text

ALL_EVENTS = ["failed_login", "successful_login", "account_recovery_attempt", "locked_account"]


def test_security_alerts_go_to_email_by_default(user):
    assert preferences(user) == {
        "failed_login": [],
        "successful_login": [],
        "account_recovery_attempt": ["email"],
        "locked_account": ["email"],
    }


def test_locked_account_notice_is_sent_when_the_account_locks(client, sign_in, user, outbox):
    for _ in range(5):
        sign_in("dana.provider", "Wrong12345")
    notices = outbox.all(purpose="locked_account")
    assert len(notices) == 1 and notices[0].to == "dana@example.com"
    assert notices[0].subject == "One Healthcare ID alert: Locked Account"
    assert "reset your password or answer your security questions" in notices[0].body
    assert outbox.all(purpose="failed_login") == []


def test_chosen_events_are_sent_by_email_and_text(client, sign_in, user, outbox):
    set_preferences(user, {event: ["email", "sms"] for event in ALL_EVENTS})
    sign_in("dana.provider", "Wrong12345")
    sign_in("dana.provider", "Password1")
    failed = outbox.all(purpose="failed_login")
    assert {(m.channel, m.to) for m in failed} == {
        ("email", "dana@example.com"),
        ("sms", "+16125550123"),
    }
    assert "Failed Login" in failed[1].body
    assert {m.channel for m in outbox.all(purpose="successful_login")} == {"email", "sms"}
    Recovery(client).start("dana.provider")
    assert {m.channel for m in outbox.all(purpose="account_recovery_attempt")} == {"email", "sms"}


def test_turned_off_events_are_not_sent(client, sign_in, user, outbox):
    set_preferences(user, {})
    for _ in range(5):
        sign_in("dana.provider", "Wrong12345")
    Recovery(client).start("dana.provider")
    assert (
        outbox.all(purpose="locked_account") == []
        and outbox.all(purpose="account_recovery_attempt") == []
    )


def test_texts_go_only_to_a_verified_phone(client, sign_in, user_factory, outbox):
    owner = user_factory(phone="+16125550177", phone_verified=True)
    set_preferences(owner, {"successful_login": ["sms"]})
    owner.phone_verified = False
    db.session.commit()
    sign_in(owner.username)
    assert outbox.all(purpose="successful_login") == []


def test_text_notifications_cannot_be_chosen_without_a_verified_phone(user_factory):
    from idp.errors import ValidationFailed

    owner = user_factory()
    with pytest.raises(ValidationFailed) as caught:
        set_preferences(owner, {"failed_login": ["sms"]})
    assert caught.value.errors == {
        "notifications": ["Add and verify a phone number to get notifications by text."]
    }


def test_answer_call_records_the_digits_and_says_whether_they_match(user, outbox):
    code = start_call(user, "phone_verification", "+16125550123")
    call = outbox.one(channel="voice")
    assert call.code == code and "keypad" in call.body
    assert call_status("+16125550123", "phone_verification") == "waiting"
    with pytest.raises(CallNotAnswered):
        confirm_call("+16125550123", "phone_verification")
    wrong = "000000" if code != "000000" else "111111"
    assert answer_call("+16125550123", wrong).result == "rejected"
    assert call_status("+16125550123", "phone_verification") == "wrong_digits"
    assert answer_call("+16125550123", code).accepted
    assert call_status("+16125550123", "phone_verification") == "answered"
    confirm_call("+16125550123", "phone_verification")
    assert call_status("+16125550123", "phone_verification") == "used"
    with pytest.raises(NoPendingCall):
        answer_call("+16125550123", code)


def test_answer_call_without_a_pending_call_is_refused(user):
    with pytest.raises(NoPendingCall) as caught:
        answer_call("+16125550123", "123456")
    assert caught.value.text == "No verification call is waiting at that number."


def test_call_expires_and_dies_after_five_wrong_keypad_tries(user, clock):
    code = start_call(user, "phone_verification", "+16125550123")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        answer_call("+16125550123", wrong)
    assert answer_call("+16125550123", code).result == "dead"
    assert call_status("+16125550123", "phone_verification") == "dead"
    clock.advance(seconds=31)
    start_call(user, "phone_verification", "+16125550123")
    clock.advance(minutes=10)
    assert answer_call("+16125550123", code).result == "expired"


def test_call_page_poll_reports_the_status_as_json(client, user):
    recovery = Recovery(client)
    recovery.start("dana.provider")
    recovery.choose("voice")
    body = client.get("/recover/password/call/status").json
    assert body == {
        "status": "waiting",
        "message": "Waiting for you to answer the call and enter the code.",
    }
    assert "call-poll.js" in text(client.get("/recover/password/call"))
