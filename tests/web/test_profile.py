"""My Profile (SPEC §3.7): "Manage your One Healthcare ID" and its three tabs."""

from __future__ import annotations

import pytest

from idp.lifecycle.security_questions import QUESTIONS, check_security_answer
from idp.lifecycle.voice import answer_call
from idp.store.models import SsoSession
from tests.web.recovery_steps import NEW_PASSWORD, Recovery, latest, post, text, token

SIGN_IN_TAB = "/profile/sign-in-information"
OPTIONS_TAB = "/profile/verification-options"


@pytest.fixture
def signed_in(client, sign_in, user):
    sign_in("dana.provider")
    return user


def test_profile_requires_sign_in(client):
    for url in ("/profile", SIGN_IN_TAB, OPTIONS_TAB, "/profile/email/verify"):
        assert client.get(url).headers["Location"].endswith("/signin")
    assert client.post("/profile/username", data={"username": "x"}).status_code in (302, 400)


def test_manage_link_on_sign_in_leads_to_my_profile(client, sign_in, user):
    response = client.get("/profile")
    assert response.headers["Location"].endswith("/signin")
    assert sign_in("dana.provider").headers["Location"].endswith("/profile")


def test_my_profile_has_ohids_three_tabs_and_sign_out(client, signed_in):
    for url, current in (
        ("/profile", "Update Profile"),
        (SIGN_IN_TAB, "Sign In Information"),
        (OPTIONS_TAB, "Manage Verification Options"),
    ):
        page = text(client.get(url))
        assert "Manage your One Healthcare ID" in page
        for tab in ("Update Profile", "Sign In Information", "Manage Verification Options"):
            assert f">{tab}</a>" in page
        assert f'aria-current="page" class="active">{current}</a>' in page
        assert ">Sign Out</button>" in page


def test_update_profile_changes_names_and_year(client, signed_in):
    response = post(
        client, "/profile", first_name="Dana", last_name="Newname", year_of_birth="1990"
    )
    assert response.headers["Location"].endswith("/profile")
    assert "Your profile has been updated." in text(client.get("/profile"))
    assert signed_in.last_name == "Newname" and signed_in.year_of_birth == 1990


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"first_name": "", "last_name": "X", "year_of_birth": "1990"}, "This field is required."),
        ({"first_name": "A", "last_name": "X", "year_of_birth": "19x0"}, "four digits"),
        ({"first_name": "A", "last_name": "X", "year_of_birth": "1800"}, "Enter a year of birth"),
        (
            {"first_name": "A" * 101, "last_name": "X", "year_of_birth": "1990"},
            "Use 100 characters or fewer.",
        ),
    ],
)
def test_update_profile_refuses_bad_input(client, signed_in, fields, message):
    response = post(client, "/profile", **fields)
    assert response.status_code == 400 and message in text(response)
    assert signed_in.first_name == "Test"


def test_change_username_follows_the_rules_and_is_unique(client, signed_in, user_factory):
    user_factory(username="taken.name")
    taken = post(client, "/profile/username", username="Taken.Name")
    assert taken.status_code == 400
    assert "That One Healthcare ID is already taken." in text(taken)
    bad = post(client, "/profile/username", username="bad/name")
    assert bad.status_code == 400 and "None of these Symbols" in text(bad)
    short = post(client, "/profile/username", username="abc")
    assert "6 to 50 characters" in text(short)
    same = post(client, "/profile/username", username="dana.provider")
    assert "This is already your One Healthcare ID." in text(same)
    done = post(client, "/profile/username", username="dana.renamed")
    assert done.headers["Location"].endswith(SIGN_IN_TAB)
    assert signed_in.username == "dana.renamed"
    assert "dana.renamed" in text(client.get(SIGN_IN_TAB))


def test_changed_username_is_the_new_sign_in_id(app, signed_in, client):
    post(client, "/profile/username", username="dana.renamed")
    other = app.test_client()
    from tests.helpers import SignIn

    assert SignIn(other)("dana.renamed").headers["Location"].endswith("/profile")


def _change_password(client, current="Password1", new=NEW_PASSWORD, confirm=None):
    return post(
        client,
        "/profile/password",
        current_password=current,
        new_password=new,
        confirm_password=new if confirm is None else confirm,
    )


def test_change_password_needs_the_current_one(client, signed_in):
    wrong = _change_password(client, current="NotIt1234")
    assert wrong.status_code == 400
    assert "The current password you entered is incorrect." in text(wrong)
    empty = _change_password(client, current="")
    assert "Enter your current password." in text(empty)


def test_change_password_refuses_the_last_five_and_bad_rules(client, signed_in):
    reused = _change_password(client, new="Password1")
    assert reused.status_code == 400
    assert "cannot be the same as any of your last 5 passwords" in text(reused)
    weak = _change_password(client, new="nouppercase1")
    assert "At least 1 uppercase letter" in text(weak)
    differ = _change_password(client, confirm="Other12345")
    assert "The passwords you entered do not match." in text(differ)


def test_change_password_keeps_this_session_and_ends_the_others(app, client, signed_in, db):
    from tests.helpers import SignIn

    other = app.test_client()
    SignIn(other)("dana.provider")
    done = _change_password(client)
    assert done.headers["Location"].endswith(SIGN_IN_TAB)
    assert "Your password has been changed." in text(client.get(SIGN_IN_TAB))
    assert other.get("/profile").headers["Location"].endswith("/signin")
    assert db.session.query(SsoSession).filter_by(ended_at=None).count() == 1


def test_new_email_is_not_used_before_its_code_is_verified(app, client, signed_in, outbox):
    from tests.helpers import SignIn

    response = post(client, "/profile/email", email="dana.new@example.com")
    assert response.headers["Location"].endswith("/profile/email/verify")
    assert "Verify Your Email Address" in text(client.get("/profile/email/verify"))
    assert signed_in.email == "dana@example.com"
    assert "dana.new@example.com" in text(client.get(SIGN_IN_TAB))  # shown as pending only
    other = app.test_client()
    assert "incorrect" in text(SignIn(other)("dana.new@example.com"))
    # Forgot ID to the new address finds nothing yet.
    post(other, "/recover/id", email="dana.new@example.com")
    assert outbox.count(purpose="forgot_id") == 0
    code = latest(client, to="dana.new@example.com", purpose="email_change")["code"]
    wrong = post(client, "/profile/email/verify", code="000000" if code != "000000" else "1")
    assert wrong.status_code == 400 and "The code you entered is incorrect." in text(wrong)
    done = post(client, "/profile/email/verify", code=code)
    assert done.headers["Location"].endswith(SIGN_IN_TAB)
    assert signed_in.email == "dana.new@example.com" and signed_in.email_verified
    notice = latest(client, to="dana@example.com", purpose="email_changed")
    assert "dana.new@example.com" in notice["body"]
    assert (
        SignIn(app.test_client())("dana.new@example.com").headers["Location"].endswith("/profile")
    )


def test_email_another_id_uses_gets_shared_email_address(client, signed_in, user_factory, outbox):
    user_factory(email="someone@example.com")
    response = post(client, "/profile/email", email="Someone@Example.com")
    assert response.status_code == 409
    assert "Shared Email Address" in text(response)
    assert outbox.count(purpose="email_change") == 0


def test_email_taken_while_waiting_for_the_code_is_shared(client, signed_in, user_factory):
    post(client, "/profile/email", email="race@example.com")
    code = latest(client, purpose="email_change")["code"]
    user_factory(email="race@example.com", shared_email=True)
    response = post(client, "/profile/email/verify", code=code)
    assert response.status_code == 302
    assert signed_in.email == "race@example.com"


def test_bad_or_same_email_is_refused(client, signed_in):
    bad = post(client, "/profile/email", email="nope")
    assert bad.status_code == 400 and "Enter a valid email address" in text(bad)
    same = post(client, "/profile/email", email="DANA@example.com")
    assert "This is already your email address." in text(same)


def test_email_change_can_be_resent_and_cancelled(client, signed_in, clock, outbox):
    post(client, "/profile/email", email="dana.new@example.com")
    post(client, "/profile/email/resend")
    assert "Please wait" in text(client.get("/profile/email/verify"))
    clock.advance(seconds=31)
    post(client, "/profile/email/resend")
    assert outbox.count(purpose="email_change") == 2
    post(client, "/profile/email/cancel")
    assert client.get("/profile/email/verify").headers["Location"].endswith(SIGN_IN_TAB)
    assert signed_in.email == "dana@example.com"


def test_change_phone_by_text_takes_effect_after_the_code(client, signed_in):
    response = post(
        client,
        OPTIONS_TAB.replace("verification-options", "phone"),
        country_code="+1",
        phone="612 555 0199",
        method="sms",
    )
    assert response.headers["Location"].endswith("/profile/phone/verify")
    assert "Verify Phone Number" in text(client.get("/profile/phone/verify"))
    assert signed_in.phone == "+16125550123"
    code = latest(client, channel="sms", to="+16125550199")["code"]
    done = post(client, "/profile/phone/verify", code=code)
    assert done.headers["Location"].endswith(OPTIONS_TAB)
    assert signed_in.phone == "+16125550199" and signed_in.phone_verified


def test_change_phone_by_call_takes_effect_after_the_keypad_digits(client, signed_in):
    post(client, "/profile/phone", country_code="+1", phone="6125550199", method="voice")
    page = text(client.get("/profile/phone/verify"))
    call = latest(client, channel="voice", to="+16125550199")
    assert call["code"] in page
    early = post(client, "/profile/phone/verify")
    assert early.status_code == 400 and "We have not received the right code" in text(early)
    assert signed_in.phone == "+16125550123"
    answer_call("+16125550199", call["code"])
    assert client.get("/profile/phone/call-status").json["status"] == "answered"
    assert post(client, "/profile/phone/verify").headers["Location"].endswith(OPTIONS_TAB)
    assert signed_in.phone == "+16125550199"


def test_bad_phone_is_refused(client, signed_in):
    bad = post(client, "/profile/phone", country_code="+1", phone="12", method="sms")
    assert bad.status_code == 400 and "Enter a valid phone number." in text(bad)
    same = post(client, "/profile/phone", country_code="+1", phone="6125550123", method="sms")
    assert "This is already your verified phone number." in text(same)
    method = post(client, "/profile/phone", country_code="+1", phone="6125550199", method="fax")
    assert method.status_code == 400 and "Not a valid choice" in text(method)


def _questions(client, answers=("Rex", "Minneapolis", "Smith"), questions=QUESTIONS[:3]):
    fields = {}
    for n, (question, answer) in enumerate(zip(questions, answers, strict=True), start=1):
        fields[f"question_{n}"] = question
        fields[f"answer_{n}"] = answer
    return post(client, "/profile/security-questions", **fields)


def test_security_questions_are_saved_and_used_for_recovery(app, client, signed_in):
    done = _questions(client)
    assert done.headers["Location"].endswith(OPTIONS_TAB)
    assert check_security_answer(signed_in, 3, "smith")
    other = app.test_client()
    recovery = Recovery(other)
    recovery.start("dana.provider")
    recovery.choose("questions")
    assert recovery.answers("Rex", "Minneapolis", "Smith").status_code == 302


def test_all_three_security_questions_must_be_answered(client, signed_in):
    response = _questions(client, answers=("Rex", "", "Smith"))
    assert response.status_code == 400 and "Answer this security question." in text(response)
    assert signed_in.security_answers == []


def test_security_questions_must_differ(client, signed_in):
    response = _questions(client, questions=[QUESTIONS[0], QUESTIONS[0], QUESTIONS[1]])
    assert response.status_code == 400
    assert "Choose three different security questions." in text(response)


def test_unknown_security_question_is_refused(client, signed_in):
    response = _questions(client, questions=["What?", QUESTIONS[0], QUESTIONS[1]])
    assert response.status_code == 400 and "Not a valid choice" in text(response)


def test_notification_choices_are_saved_and_used(client, signed_in, sign_in, outbox):
    page = text(client.get(OPTIONS_TAB))
    for label in ("Failed Login", "Successful Login", "Account Recovery Attempt", "Locked Account"):
        assert label in page
    done = post(
        client,
        "/profile/notifications",
        successful_login_email="y",
        successful_login_sms="y",
        locked_account_email="y",
    )
    assert done.headers["Location"].endswith(OPTIONS_TAB)
    assert signed_in.notifications["successful_login"] == ["email", "sms"]
    assert signed_in.notifications["account_recovery_attempt"] == []
    assert 'id="successful_login_sms" name="successful_login_sms" type="checkbox" value="y"' in (
        text(client.get(OPTIONS_TAB)).replace(" checked", "")
    )
    client.post("/signout", data={"csrf_token": token(client)})
    sign_in("dana.provider")
    sent = outbox.all(purpose="successful_login")
    assert {m.channel for m in sent} == {"email", "sms"}


def test_text_notifications_need_a_verified_phone(client, sign_in, user_factory):
    owner = user_factory()
    sign_in(owner.username)
    response = post(client, "/profile/notifications", failed_login_sms="y")
    assert response.status_code == 400
    assert "Add and verify a phone number to get notifications by text." in text(response)


def test_recent_sign_in_activity_is_listed(client, sign_in, user):
    sign_in("dana.provider", "Wrong12345")
    sign_in("dana.provider")
    page = text(client.get(SIGN_IN_TAB))
    assert "Recent sign-in activity" in page
    assert "Signed in" in page and "Failed sign-in" in page and "Wrong password" in page
    # How each sign-in happened, in words rather than RFC 8176 codes.
    assert "<td>Password</td>" in page and "<td>pwd</td>" not in page


def test_sign_out_from_my_profile(client, signed_in):
    response = post(client, "/signout")
    assert response.headers["Location"].endswith("/signin?signed_out=1")
    assert client.get("/profile").headers["Location"].endswith("/signin")


def test_forms_without_csrf_are_refused(client, signed_in):
    response = client.post("/profile/username", data={"username": "no.token.here"})
    assert response.status_code == 400 and signed_in.username == "dana.provider"
