"""Verify Your Email Address (SPEC §3.3): the activation email, its code, its link,
resend limits, and an unverified account signing in."""

from __future__ import annotations

import pytest

from idp.crypto.digests import token_digest
from idp.errors import CodeInvalid
from idp.lifecycle.email_verification import confirm_activation_code
from idp.store.models import OneTimeCode, SsoSession, User
from tests.helpers import authorize_url, csrf_token, query_of
from tests.web.registration_helpers import (
    continue_after_email,
    latest,
    path_of,
    post_form,
    register,
    verify_email_by_code,
)

INCORRECT = "The code you entered is incorrect."


def _wrong(code: str) -> str:
    return "0" * len(code) if code != "0" * len(code) else "1" * len(code)


def _activation(client) -> dict:
    return latest(client, channel="email", to="quinn@example.com", purpose="email_activation")


def _continue(client, link: str):
    """Open the activation link and select Continue, as the Optum Pro guide says."""
    page = client.get(link)
    assert page.status_code == 200, page.status_code
    return client.post(link, data={"csrf_token": csrf_token(page.data)})


def test_activation_email_has_a_ten_digit_code_and_a_link(client):
    register(client)
    email = _activation(client)
    assert email["subject"] == "Verify your email address for One Healthcare ID"
    assert len(email["code"]) == 10 and email["code"].isdigit()
    assert email["code"] in email["body"] and email["link"] in email["body"]
    assert email["link"].startswith("http://localhost:8765/activate/")
    assert f"Activate my One Healthcare ID\n{email['link']}" in email["body"]


def test_verify_page_has_ohid_texts(client):
    register(client)
    page = client.get("/register/verify-email").get_data(as_text=True)
    for text in ("Verify Your Email Address", "quinn@example.com", ">Verify<", "Resend Code"):
        assert text in page
    assert 'for="code"' in page and "Activation code" in page


def test_code_is_stored_hashed(client, db):
    register(client)
    code = _activation(client)["code"]
    row = db.session.query(OneTimeCode).one()
    assert row.code_hash == token_digest(code) and row.code_hash != code
    assert row.purpose == "email_activation"


def test_right_code_verifies_and_shows_success_with_continue(client, db):
    register(client)
    response = verify_email_by_code(client)
    assert response.headers["Location"].endswith("/register/email-verified")
    page = client.get("/register/email-verified").get_data(as_text=True)
    assert "Your email address has been verified." in page and ">Continue<" in page
    assert db.session.query(User).one().email_verified


def test_code_with_spaces_is_accepted(client, db):
    register(client)
    code = _activation(client)["code"]
    spaced = f"{code[:3]} {code[3:6]}-{code[6:]}"
    post_form(client, "/register/verify-email", "/register/verify-email", code=spaced)
    assert db.session.query(User).one().email_verified


def test_wrong_code_is_refused_with_its_message(client, db):
    register(client)
    code = _activation(client)["code"]
    response = post_form(
        client, "/register/verify-email", "/register/verify-email", code=_wrong(code)
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert INCORRECT in page and 'aria-describedby="code-hint code-error"' in page
    assert not db.session.query(User).one().email_verified


def test_empty_code_is_asked_for(client):
    register(client)
    response = post_form(client, "/register/verify-email", "/register/verify-email", code="")
    assert response.status_code == 400 and "Enter the code." in response.get_data(as_text=True)


def test_fifth_wrong_code_kills_it_even_for_the_right_one(client, db):
    register(client)
    code = _activation(client)["code"]
    for _ in range(4):
        post_form(client, "/register/verify-email", "/register/verify-email", code=_wrong(code))
    fifth = post_form(client, "/register/verify-email", "/register/verify-email", code=_wrong(code))
    assert "Too many incorrect attempts" in fifth.get_data(as_text=True)
    right = post_form(client, "/register/verify-email", "/register/verify-email", code=code)
    assert "Too many incorrect attempts" in right.get_data(as_text=True)
    assert not db.session.query(User).one().email_verified


def test_code_expires_after_24_hours(client, clock, db):
    register(client)
    code = _activation(client)["code"]
    token = csrf_token(client.get("/register/verify-email").data)
    clock.advance(hours=24)
    response = client.post("/register/verify-email", data={"csrf_token": token, "code": code})
    assert response.status_code == 400
    assert "This code has expired." in response.get_data(as_text=True)
    assert not db.session.query(User).one().email_verified


def test_verify_page_sends_nothing_and_offers_resend_when_the_code_expired(client, clock, db):
    register(client)
    first = _activation(client)["code"]
    clock.advance(hours=24)
    page = client.get("/register/verify-email").get_data(as_text=True)
    assert "Your activation code has expired or was used up. Select &#34;Resend Code&#34;" in page
    assert db.session.query(OneTimeCode).count() == 1
    assert _activation(client)["code"] == first
    post_form(client, "/register/verify-email", "/register/verify-email/resend")
    assert _activation(client)["code"] != first
    verify_email_by_code(client)
    assert db.session.query(User).one().email_verified


def test_showing_the_verify_page_again_and_again_sends_nothing(client, db):
    register(client)
    for _ in range(3):
        page = client.get("/register/verify-email").get_data(as_text=True)
        assert "Resend Code" in page and "has expired or was used up" not in page
    assert db.session.query(OneTimeCode).count() == 1


def test_signing_in_unverified_sends_the_email_before_the_page_says_so(
    client, sign_in, user_factory, db
):
    user_factory(username="late.verifier", email="late@example.com", email_verified=False)
    response = sign_in("late.verifier")
    assert response.headers["Location"].endswith("/register/verify-email")
    # No GET of the page is needed: the sign-in's POST sent it.
    assert latest(client, channel="email", to="late@example.com")["purpose"] == ("email_activation")


def test_signing_in_again_with_a_code_pending_sends_no_second_email(
    client, sign_in, user_factory, db
):
    user_factory(username="late.verifier", email="late@example.com", email_verified=False)
    sign_in("late.verifier")
    first = latest(client, channel="email", to="late@example.com")
    sign_in("late.verifier")
    assert latest(client, channel="email", to="late@example.com")["id"] == first["id"]


def test_code_replaced_by_resend_no_longer_works(client, clock, db):
    register(client)
    first = _activation(client)["code"]
    clock.advance(seconds=31)
    response = post_form(client, "/register/verify-email", "/register/verify-email/resend")
    assert response.status_code == 302
    assert "We sent a new activation code to quinn@example.com." in client.get(
        "/register/verify-email"
    ).get_data(as_text=True)
    second = _activation(client)["code"]
    assert second != first
    refused = post_form(client, "/register/verify-email", "/register/verify-email", code=first)
    assert INCORRECT in refused.get_data(as_text=True)
    verify_email_by_code(client)
    assert db.session.query(User).one().email_verified


def test_resend_has_a_cool_down(client):
    register(client)
    response = post_form(client, "/register/verify-email", "/register/verify-email/resend")
    assert response.status_code == 429
    assert "Please wait" in response.get_data(as_text=True)


def test_resend_has_an_hourly_cap(client, clock):
    register(client)
    for _ in range(4):
        clock.advance(seconds=31)
        assert (
            post_form(client, "/register/verify-email", "/register/verify-email/resend").status_code
            == 302
        )
    clock.advance(seconds=31)
    capped = post_form(client, "/register/verify-email", "/register/verify-email/resend")
    assert capped.status_code == 429
    assert "You have requested too many codes." in capped.get_data(as_text=True)
    clock.advance(hours=1)
    assert (
        post_form(client, "/register/verify-email", "/register/verify-email/resend").status_code
        == 302
    )


def test_opening_the_link_alone_verifies_nothing(client, db):
    register(client)
    response = client.get(path_of(_activation(client)["link"]))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Select <strong>Continue</strong> to verify the email address q***@example.com" in page
    assert 'method="post"' in page and ">Continue<" in page
    assert not db.session.query(User).one().email_verified


def test_continue_on_the_link_page_verifies_the_email(client, db):
    register(client)
    response = _continue(client, path_of(_activation(client)["link"]))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Your email address has been verified." in page and ">Continue<" in page
    assert db.session.query(User).one().email_verified


def test_continue_without_the_form_token_verifies_nothing(client, db):
    register(client)
    link = path_of(_activation(client)["link"])
    response = client.post(link)
    assert response.status_code in (302, 400)
    assert not db.session.query(User).one().email_verified


def test_link_opened_in_another_browser_verifies_and_offers_sign_in(app, client, db):
    register(client)
    other = app.test_client()
    page = _continue(other, path_of(_activation(client)["link"])).get_data(as_text=True)
    assert "Your email address has been verified." in page and "Sign In" in page
    assert db.session.query(User).one().email_verified
    # The registering browser's page sees it and moves on.
    assert client.get("/register/verify-email").status_code == 302


def test_link_used_twice_says_already_verified(client):
    register(client)
    link = path_of(_activation(client)["link"])
    _continue(client, link)
    again = client.get(link)
    assert again.status_code == 200
    assert "Your email address is already verified." in again.get_data(as_text=True)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "x" + token,
        lambda token: token.split(".")[0],
        lambda token: "not-a-token",
    ],
)
def test_tampered_link_shows_a_clear_page(client, db, tamper):
    register(client)
    token = _activation(client)["link"].rsplit("/", 1)[1]
    response = client.get(f"/activate/{tamper(token)}")
    assert response.status_code == 400
    assert "This link is not valid." in response.get_data(as_text=True)
    assert not db.session.query(User).one().email_verified


def test_link_of_a_replaced_code_is_dead(client, clock, db):
    register(client)
    old_link = path_of(_activation(client)["link"])
    clock.advance(seconds=31)
    post_form(client, "/register/verify-email", "/register/verify-email/resend")
    response = client.get(old_link)
    assert response.status_code == 400
    assert "a newer code was sent" in response.get_data(as_text=True)
    assert not db.session.query(User).one().email_verified
    assert client.get(path_of(_activation(client)["link"])).status_code == 200


def test_link_expires_after_24_hours(client, clock, db):
    register(client)
    link = path_of(_activation(client)["link"])
    clock.advance(hours=24, seconds=1)
    response = client.get(link)
    assert response.status_code == 400
    assert "This link has expired." in response.get_data(as_text=True)
    assert not db.session.query(User).one().email_verified


def test_link_dies_when_the_email_changes(client, db):
    register(client)
    link = path_of(_activation(client)["link"])
    user = db.session.query(User).one()
    user.email, user.email_key = "quinn.new@example.com", "quinn.new@example.com"
    db.session.commit()
    assert client.get(link).status_code == 400
    assert not db.session.query(User).one().email_verified


def test_activation_code_of_one_user_does_not_verify_another(app, client, db):
    register(client)
    other = app.test_client()
    register(other, username="other.person", email="other@example.com")
    mine = _activation(client)["code"]
    response = post_form(other, "/register/verify-email", "/register/verify-email", code=mine)
    assert INCORRECT in response.get_data(as_text=True)
    assert not db.session.query(User).filter_by(username="other.person").one().email_verified


def test_unverified_account_signing_in_resumes_verification(client, sign_in, user_factory, db):
    user_factory(username="late.verifier", email="late@example.com", email_verified=False)
    response = sign_in("late.verifier")
    assert response.headers["Location"].endswith("/register/verify-email")
    page = client.get("/register/verify-email").get_data(as_text=True)
    assert "Verify Your Email Address" in page and "late@example.com" in page
    assert db.session.query(SsoSession).count() == 0
    assert client.get("/profile").headers["Location"].endswith("/signin")
    code = latest(client, channel="email", to="late@example.com")["code"]
    post_form(client, "/register/verify-email", "/register/verify-email", code=code)
    response = continue_after_email(client)
    assert response.headers["Location"].endswith("/profile")
    assert "late.verifier" in client.get("/profile").get_data(as_text=True)


def test_unverified_account_gets_no_portal_code_until_verified(client, sign_in, user_factory):
    user_factory(username="late.verifier", email="late@example.com", email_verified=False)
    response = client.get(authorize_url(state="s1"))
    assert "/signin" in response.headers["Location"]
    assert sign_in("late.verifier").headers["Location"].endswith("/register/verify-email")
    code = latest(client, channel="email", to="late@example.com")["code"]
    post_form(client, "/register/verify-email", "/register/verify-email", code=code)
    response = continue_after_email(client)
    query = query_of(response.headers["Location"])
    assert query["state"] == "s1" and query["code"]


def test_verify_page_without_a_journey_goes_to_sign_in(client):
    assert client.get("/register/verify-email").headers["Location"].endswith("/signin")
    page = client.get("/signin")
    response = client.post(
        "/register/verify-email", data={"csrf_token": csrf_token(page.data), "code": "1"}
    )
    assert response.headers["Location"].endswith("/signin")


def test_used_activation_code_cannot_be_used_again(client, db):
    register(client)
    code = _activation(client)["code"]
    verify_email_by_code(client)
    user = db.session.query(User).one()
    with pytest.raises(CodeInvalid):
        confirm_activation_code(user, code)
