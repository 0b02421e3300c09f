"""One-time codes, the outbox and the QA clock."""

from __future__ import annotations

import threading

import pytest

from idp.crypto.digests import token_digest
from idp.delivery.outbox import send_email, send_sms
from idp.errors import CodeExpired, CodeInvalid, ResendLimitReached, ResendTooSoon, TooManyAttempts
from idp.lifecycle.codes import confirm_code, issue_code
from idp.store import db
from idp.store.models import OneTimeCode


def _send(user, purpose="phone_verification", channel="sms", to="+16125550123"):
    row, code = issue_code(user, purpose, channel, to)
    send_sms(to, purpose, "code", user=user, code=code, minutes=10)
    db.session.commit()
    return code


def test_sms_code_is_six_digits_and_recorded_in_the_outbox(client, user):
    code = _send(user)
    assert len(code) == 6 and code.isdigit()
    latest = client.get("/_qa/outbox/latest?channel=sms&to=%2B16125550123").json
    assert latest["code"] == code and code in latest["body"]
    assert latest["purpose"] == "phone_verification"


def test_activation_code_is_ten_digits_and_lives_24_hours(user, clock):
    row, code = issue_code(user, "email_activation", "email", user.email)
    db.session.commit()
    assert len(code) == 10
    clock.advance(hours=23, minutes=59)
    assert confirm_code(user.email, "email_activation", code).used_at is not None


def test_code_is_stored_hashed(user):
    code = _send(user)
    stored = db.session.query(OneTimeCode).one().code_hash
    # Kept as its digest: six digits could turn up inside any hex string by chance.
    assert stored == token_digest(code) and stored != code


def test_right_code_is_single_use(user):
    code = _send(user)
    confirm_code("+16125550123", "phone_verification", code)
    with pytest.raises(CodeInvalid):
        confirm_code("+16125550123", "phone_verification", code)


def test_code_expires_after_ten_minutes(user, clock):
    code = _send(user)
    clock.advance(minutes=10)
    with pytest.raises(CodeExpired):
        confirm_code("+16125550123", "phone_verification", code)


def test_fifth_wrong_try_kills_the_code(user):
    code = _send(user)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(CodeInvalid):
            confirm_code("+16125550123", "phone_verification", wrong)
    with pytest.raises(TooManyAttempts):
        confirm_code("+16125550123", "phone_verification", wrong)
    with pytest.raises(TooManyAttempts):
        confirm_code("+16125550123", "phone_verification", code)


def test_new_code_replaces_the_old_one(user, clock):
    first = _send(user)
    clock.advance(seconds=31)
    second = _send(user)
    with pytest.raises(CodeInvalid):
        confirm_code("+16125550123", "phone_verification", first)
    confirm_code("+16125550123", "phone_verification", second)


def test_resend_cool_down_and_hourly_cap(user, clock):
    _send(user)
    with pytest.raises(ResendTooSoon) as info:
        _send(user)
    assert "wait" in info.value.text
    for _ in range(4):
        clock.advance(seconds=31)
        _send(user)
    clock.advance(seconds=31)
    with pytest.raises(ResendLimitReached):
        _send(user)
    clock.advance(hours=1)
    _send(user)


def test_two_racing_confirmations_have_one_winner(app, user):
    code = _send(user)
    results = []

    def attempt():
        with app.app_context():
            try:
                confirm_code("+16125550123", "phone_verification", code)
                results.append("ok")
            except CodeInvalid:
                results.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok", "refused"]


def test_outbox_filters_and_newest_first(client, user, clock):
    send_email(user.email, "notice", "code", user=user, code="123456", minutes=10)
    db.session.commit()
    clock.advance(seconds=5)
    _send(user)
    everything = client.get("/_qa/outbox").json
    assert [m["channel"] for m in everything] == ["sms", "email"]
    assert client.get("/_qa/outbox?channel=email").json[0]["subject"] == (
        "One Healthcare ID verification code"
    )
    assert client.get(f"/_qa/outbox?to={user.email.upper()}").json[0]["channel"] == "email"
    assert client.get("/_qa/outbox?purpose=nothing").json == []
    later = clock.now().isoformat()
    assert client.get("/_qa/outbox", query_string={"since": later}).json == []


def test_outbox_bad_filters_are_400(client):
    assert client.get("/_qa/outbox?channel=pigeon").status_code == 400
    response = client.get("/_qa/outbox?since=yesterday")
    assert response.status_code == 400 and "since" in response.json["detail"]


def test_latest_with_nothing_is_404(client):
    response = client.get("/_qa/outbox/latest?channel=voice")
    assert response.status_code == 404 and response.json["error"] == "not_found"


def test_qa_clock_advance_set_reset(client):
    moved = client.post("/_qa/clock", json={"advance": "91d"}).json
    assert moved["moved"] and moved["offset_seconds"] >= 91 * 86400 - 5
    jumped = client.post("/_qa/clock", json={"set": "2030-01-01T00:00:00Z"}).json
    assert jumped["now"].startswith("2030-01-01T00:00")
    assert client.get("/_qa/clock").json["now"].startswith("2030-01-01")
    assert client.delete("/_qa/clock").json["moved"] is False


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"advance": "91d", "set": "2030-01-01"},
        {"advance": "soon"},
        {"set": "tomorrow"},
        {"advance": 91},
    ],
)
def test_qa_clock_bad_input_is_400(client, body):
    response = client.post("/_qa/clock", json=body)
    assert response.status_code == 400 and response.json["error"] == "invalid_request"


def test_qa_clock_moves_sign_in_rules(client, sign_in, user):
    sign_in("dana.provider")
    client.post("/_qa/clock", json={"advance": "31m"})
    assert client.get("/profile").headers["Location"].endswith("/signin")


def test_latest_404_echoes_the_filters_and_says_what_arrived_for_to(client):
    client.post(
        "/_qa/users",
        json={"username": "qa.tester", "email": "qa.tester@example.com", "password": "Password1"},
    )
    response = client.get("/_qa/outbox/latest?to=qa.tester@example.com&channel=sms")
    assert response.status_code == 404
    assert response.json["detail"] == (
        "No message matches to='qa.tester@example.com', channel='sms'. "
        "Sent to 'qa.tester@example.com' (newest first): email email_activation."
    )


def test_latest_404_says_when_nothing_was_sent_to_the_address(client):
    response = client.get("/_qa/outbox/latest?to=nobody@example.com")
    assert response.json["detail"] == (
        "No message matches to='nobody@example.com'. Nothing was sent to 'nobody@example.com'."
    )
    empty = client.get("/_qa/outbox/latest")
    assert empty.json["detail"] == "No message matches: the outbox is empty."
