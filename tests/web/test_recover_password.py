"""Forgot password (SPEC §3.6): verify by email, text, call or security questions,
then a new password; a reset unlocks, reactivates and ends other sessions."""

from __future__ import annotations

import pytest

from idp.lifecycle.voice import answer_call
from idp.store.models import AuditEvent, SsoSession
from tests.web.recovery_steps import (
    ANSWERS,
    NEW_PASSWORD,
    Recovery,
    latest,
    post,
    text,
    with_questions,
)

PHONE = "+16125550123"


@pytest.fixture
def recovery(client):
    return Recovery(client)


def test_verify_your_identity_offers_the_verified_channels_masked(client, user, recovery):
    with_questions(user)
    response = recovery.start("dana.provider")
    assert response.headers["Location"].endswith("/recover/password/verify")
    page = text(client.get("/recover/password/verify"))
    assert "Verify your identity" in page
    assert "Email a code to d***@example.com" in page
    assert "Text a code to the phone number ending in 0123" in page
    assert "Call the phone number ending in 0123" in page
    assert "Answer my security questions" in page
    assert "dana@example.com" not in page and "5550123" not in page


def test_unverified_email_and_phone_are_not_offered(client, user_factory, recovery, outbox):
    owner = with_questions(
        user_factory(email_verified=False, phone="+16125550177", phone_verified=False)
    )
    recovery.start(owner.username)
    page = text(client.get("/recover/password/verify"))
    assert "Answer my security questions" in page
    assert "Email a code" not in page and "ending in 0177" not in page
    refused = recovery.choose("sms")
    assert refused.status_code == 400 and "Not a valid choice" in text(refused)
    assert outbox.count(purpose="password_reset") == 0


def test_account_with_no_way_to_verify_is_told_to_call_support(client, user_factory, recovery):
    owner = user_factory(email_verified=False)
    response = recovery.start(owner.username)
    assert response.status_code == 400
    assert "Call support at 1-855-819-5909" in text(response)


def test_unknown_id_is_told_it_was_not_found(recovery, user):
    response = recovery.start("nobody.here")
    assert response.status_code == 400
    assert "We could not find a One Healthcare ID with that information." in text(response)


def test_empty_identifier_is_asked_for(recovery):
    response = recovery.start("")
    assert response.status_code == 400
    assert "Enter your One Healthcare ID or email address." in text(response)


def test_identifier_typed_at_sign_in_is_prefilled(client, sign_in, user):
    sign_in.identifier("dana.provider")
    assert 'value="dana.provider"' in text(client.get("/recover/password"))


def test_reset_by_text_code_then_sign_in_with_the_new_password(client, user, recovery, sign_in):
    recovery.start("dana.provider")
    sent = recovery.choose("sms")
    assert sent.headers["Location"].endswith("/recover/password/code")
    page = text(client.get("/recover/password/code"))
    assert "the phone number ending in 0123" in page and "Verification Code" in page
    sms = latest(client, channel="sms", to=PHONE, purpose="password_reset")
    assert recovery.code(sms["code"]).headers["Location"].endswith("/recover/password/new")
    page = text(client.get("/recover/password/new"))
    assert "New password" in page and "Type password again" in page
    assert "At least 1 uppercase letter" in page
    done = recovery.new_password()
    assert done.headers["Location"].endswith("/recover/password/done")
    assert "Your password has been reset" in text(client.get("/recover/password/done"))
    assert "incorrect" in text(sign_in("dana.provider", "Password1"))
    assert sign_in("dana.provider", NEW_PASSWORD).headers["Location"].endswith("/profile")


def test_reset_by_email_code(client, user, recovery, sign_in):
    done = recovery.by_email("dana@example.com", "dana@example.com")
    assert done.headers["Location"].endswith("/recover/password/done")
    assert sign_in("dana.provider", NEW_PASSWORD).headers["Location"].endswith("/profile")


def test_reset_by_call_with_the_code_keyed_in(client, user, recovery, app):
    recovery.start("dana.provider")
    assert recovery.choose("voice").headers["Location"].endswith("/recover/password/call")
    page = text(client.get("/recover/password/call"))
    call = latest(client, channel="voice", to=PHONE, purpose="password_reset")
    assert call["code"] in page and "keypad" in page
    not_yet = post(client, "/recover/password/call")
    assert not_yet.status_code == 400
    assert "We have not received the right code from your phone yet." in text(not_yet)
    assert client.get("/recover/password/call/status").json["status"] == "waiting"
    assert (
        answer_call(PHONE, "000000" if call["code"] != "000000" else "111111").result == "rejected"
    )
    wrong = post(client, "/recover/password/call")
    assert "The code entered on the phone&#39;s keypad was incorrect." in text(wrong)
    assert answer_call(PHONE, call["code"]).accepted
    assert client.get("/recover/password/call/status").json["status"] == "answered"
    assert (
        post(client, "/recover/password/call").headers["Location"].endswith("/recover/password/new")
    )
    assert recovery.new_password().headers["Location"].endswith("/recover/password/done")


def test_reset_by_security_questions(client, user, recovery, sign_in):
    with_questions(user)
    recovery.start("dana.provider")
    assert recovery.choose("questions").headers["Location"].endswith("/recover/password/questions")
    page = text(client.get("/recover/password/questions"))
    for question, _ in ANSWERS:
        assert question.replace("'", "&#39;") in page
    wrong = recovery.answers("Rex", "Minneapolis", "Jones")
    assert wrong.status_code == 400
    assert "One or more of your answers is incorrect." in text(wrong)
    right = recovery.answers("  rex ", "MINNEAPOLIS", "Smith")
    assert right.headers["Location"].endswith("/recover/password/new")
    recovery.new_password()
    assert sign_in("dana.provider", NEW_PASSWORD).headers["Location"].endswith("/profile")


def test_five_wrong_answer_sets_block_the_questions_for_a_while(user, recovery, clock):
    with_questions(user)
    recovery.start("dana.provider")
    recovery.choose("questions")
    for _ in range(5):
        recovery.answers("x", "y", "z")
    blocked = recovery.answers("Rex", "Minneapolis", "Smith")
    assert "Too many incorrect answers. Try again in 30 minutes" in text(blocked)
    clock.advance(minutes=30)
    recovery.start("dana.provider")
    recovery.choose("questions")
    assert recovery.answers("Rex", "Minneapolis", "Smith").status_code == 302


def test_empty_answer_is_asked_for(user, recovery):
    with_questions(user)
    recovery.start("dana.provider")
    recovery.choose("questions")
    response = recovery.answers("Rex", "", "Smith")
    assert response.status_code == 400 and "Answer this security question." in text(response)


def test_wrong_and_expired_codes_are_refused(client, user, recovery, clock):
    recovery.start("dana.provider")
    recovery.choose("sms")
    code = latest(client, channel="sms", purpose="password_reset")["code"]
    wrong = recovery.code("000000" if code != "000000" else "111111")
    assert wrong.status_code == 400
    assert "The code you entered is incorrect." in text(wrong)
    assert 'aria-describedby="code-error code-hint"' in text(wrong)
    clock.advance(minutes=10)
    expired = recovery.code(code)
    assert "This code has expired. Select Resend Code to get a new one." in text(expired)


def test_resend_code_respects_the_cool_down(client, user, recovery, clock, outbox):
    recovery.start("dana.provider")
    recovery.choose("sms")
    too_soon = post(client, "/recover/password/resend")
    assert too_soon.headers["Location"].endswith("/recover/password/code")
    assert "Please wait" in text(client.get("/recover/password/code"))
    clock.advance(seconds=31)
    post(client, "/recover/password/resend")
    assert outbox.count(purpose="password_reset", channel="sms") == 2


def test_new_password_needs_a_verified_identity(client, user, recovery):
    recovery.start("dana.provider")
    response = client.get("/recover/password/new")
    assert response.headers["Location"].endswith("/recover/password/verify")
    refused = recovery.new_password()
    assert refused.headers["Location"].endswith("/recover/password/verify")


def test_steps_without_a_recovery_start_send_back_to_the_start(client):
    for url in ("/recover/password/verify", "/recover/password/code", "/recover/password/new"):
        response = client.get(url)
        assert response.headers["Location"].endswith("/recover/password")


def _verified(recovery, client):
    recovery.start("dana.provider")
    recovery.choose("sms")
    recovery.code(latest(client, channel="sms", purpose="password_reset")["code"])


def test_new_password_must_meet_the_rules_and_match(client, user, recovery):
    _verified(recovery, client)
    weak = recovery.new_password("alllowercase1")
    assert weak.status_code == 400 and "At least 1 uppercase letter" in text(weak)
    differ = recovery.new_password(NEW_PASSWORD, "NewPassword3")
    assert differ.status_code == 400
    assert "The passwords you entered do not match." in text(differ)
    assert 'aria-describedby="confirm_password-error"' in text(differ)


def test_reset_refuses_any_of_the_last_five_passwords(client, user, recovery, db):
    from idp.lifecycle.password_change import set_password

    for n in range(2, 6):
        set_password(user, f"Password{n}", f"Password{n}", reason="test")
    _verified(recovery, client)
    for n in range(1, 6):
        refused = recovery.new_password(f"Password{n}")
        assert refused.status_code == 400
        assert "cannot be the same as any of your last 5 passwords" in text(refused)
    assert recovery.new_password("Password6").status_code == 302


def test_reset_unlocks_a_locked_account(client, user, recovery, sign_in):
    for _ in range(5):
        sign_in("dana.provider", "Wrong12345")
    assert "locked" in text(sign_in("dana.provider", "Password1"))
    recovery.by_text("dana.provider", PHONE)
    assert sign_in("dana.provider", NEW_PASSWORD).headers["Location"].endswith("/profile")
    assert user.failed_sign_ins == 0 and user.locked_until is None


def test_reset_ends_the_accounts_other_sso_sessions(app, client, user, recovery, sign_in, db):
    sign_in("dana.provider")
    other_browser = app.test_client()
    Recovery(other_browser).by_text("dana.provider", PHONE)
    assert db.session.query(SsoSession).one().ended_at is not None
    assert client.get("/profile").headers["Location"].endswith("/signin")


def test_reset_from_a_browser_signed_in_as_the_user_keeps_it_signed_in(
    client, user, recovery, sign_in
):
    sign_in("dana.provider")
    recovery.by_text("dana.provider", PHONE)
    assert client.get("/profile").status_code == 200


def test_recovery_ticket_dies_after_thirty_minutes(client, user, recovery, clock):
    recovery.start("dana.provider")
    clock.advance(minutes=30)
    response = client.get("/recover/password/verify")
    assert response.headers["Location"].endswith("/recover/password")
    assert "Your session to reset your password has expired." in text(
        client.get("/recover/password")
    )


def test_a_copied_ticket_cannot_reset_twice(client, user, recovery):
    _verified(recovery, client)
    copied = client.get_cookie("ohid_session").value
    recovery.new_password()
    client.set_cookie("ohid_session", copied)
    replay = recovery.new_password("Another3Password")
    assert replay.headers["Location"].endswith("/recover/password")


def test_each_recovery_attempt_sends_an_account_recovery_attempt_notice(
    client, user, recovery, outbox
):
    recovery.start("dana.provider")
    recovery.start("dana@example.com")
    notices = outbox.all(purpose="account_recovery_attempt")
    assert len(notices) == 2 and notices[0].to == "dana@example.com"
    assert "Account Recovery Attempt" in notices[0].subject
    assert AuditEvent.query.filter_by(kind="recovery_started").count() == 2


def test_reset_revokes_the_accounts_tokens(app, client, user, sign_in):
    from tests.oidc.portal import CLAIMS_ONLINE, basic_auth, exchange, get_code

    query = get_code(client, sign_in, scope="openid profile email offline_access")
    tokens = exchange(client, query["code"]).json
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get("/userinfo", headers=bearer).status_code == 200
    Recovery(app.test_client()).by_text("dana.provider", PHONE)
    assert client.get("/userinfo", headers=bearer).status_code == 401
    refreshed = client.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        headers=basic_auth(*CLAIMS_ONLINE[:2]),
    )
    assert refreshed.status_code == 400 and refreshed.json["error"] == "invalid_grant"


def test_reset_by_call_answered_through_the_qa_api(client, user, recovery):
    recovery.start("dana.provider")
    recovery.choose("voice")
    call = latest(client, channel="voice", to=PHONE, purpose="password_reset")
    answer = client.post("/_qa/voice/answer", json={"to": PHONE, "digits": call["code"] + "#"})
    assert answer.status_code == 200
    assert answer.json["result"] == "accepted" and answer.json["purpose"] == "password_reset"
    assert client.get("/recover/password/call/status").json["status"] == "answered"
    done = post(client, "/recover/password/call")
    assert done.headers["Location"].endswith("/recover/password/new")
    assert recovery.new_password().headers["Location"].endswith("/recover/password/done")
