"""Several One Healthcare IDs on one email address (Optum Pro guide, troubleshooting):
OHID warns and offers Sign In first and a second option to share the address; sign-in,
Forgot One Healthcare ID? and password recovery handle the shared address."""

from __future__ import annotations

import pytest

from idp.store.models import User
from tests.helpers import csrf_token, post_form
from tests.web.registration_helpers import register, registration_data

SHARED = "front.desk@example.com"
WARNING = "Email is already in use: front.desk@example.com is linked to a One Healthcare ID."
NEEDS_ID = (
    "More than one One Healthcare ID uses this email address. Enter your One Healthcare ID "
    "to sign in."
)
WRONG = "The One Healthcare ID or password that you entered is incorrect."


@pytest.fixture
def first(user_factory):
    return user_factory("with_phone", username="first.desk", email=SHARED)


def _second(user_factory, password="Password1"):
    return user_factory(username="second.desk", email=SHARED, password=password, shared_email=True)


def test_a_taken_email_gets_the_warning_with_sign_in_first_and_a_second_option(client, first, db):
    response = register(client, email="Front.Desk@example.com")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Email Address Already in Use" in page
    assert "Email is already in use: Front.Desk@example.com is linked" in page
    sign_in_at = page.index('href="/signin">Sign In</a>')
    second_at = page.index("Use this email address for another One Healthcare ID")
    assert sign_in_at < second_at
    assert 'href="/recover/id">Forgot One Healthcare ID?</a>' in page
    assert "Optum Pro does not approve a registration with a shared email address" in " ".join(
        page.split()
    )
    assert db.session.query(User).count() == 1


def test_the_second_option_creates_a_second_id_on_the_same_email(client, first, db):
    page = register(client, email=SHARED).get_data(as_text=True)
    data = registration_data(email=SHARED, share_email="y", csrf_token=csrf_token(page))
    # The warning page carries the form's values itself; posting them as it does:
    for name, value in registration_data(email=SHARED).items():
        assert f'name="{name}" value="{value}"' in page, name
    response = client.post("/register", data=data)
    assert response.headers["Location"].endswith("/register/verify-email")
    accounts = db.session.query(User).filter_by(email_key=SHARED).all()
    assert sorted(u.username for u in accounts) == ["first.desk", "quinn.clinician"]


def test_a_taken_username_is_still_refused(client, first):
    response = register(client, username="first.desk")
    assert response.status_code == 409
    assert "That One Healthcare ID is already taken." in response.get_data(as_text=True)


def test_the_email_step_reveals_nothing_before_the_password(client, sign_in, first, user_factory):
    unique = sign_in.identifier("first.desk").headers["Location"]
    _second(user_factory)
    shared = sign_in.identifier(SHARED).headers["Location"]
    unknown = sign_in.identifier("nobody@example.com").headers["Location"]
    assert unique == shared == unknown and shared.endswith("/signin/password")


def test_the_password_decides_when_it_fits_one_id_on_the_shared_email(
    client, sign_in, first, user_factory
):
    _second(user_factory, password="Another2Pass")
    response = sign_in(SHARED, "Another2Pass")
    assert response.headers["Location"].endswith("/profile")
    assert "second.desk" in client.get("/profile").get_data(as_text=True)


def test_a_password_that_fits_several_ids_asks_for_the_id(client, sign_in, first, user_factory):
    _second(user_factory)
    response = sign_in(SHARED, "Password1")
    assert response.headers["Location"].endswith("/signin")
    page = client.get("/signin").get_data(as_text=True)
    assert NEEDS_ID in page
    assert sign_in("second.desk").headers["Location"].endswith("/profile")


def test_a_wrong_password_on_a_shared_email_counts_against_every_id_on_it(
    client, sign_in, first, user_factory, db
):
    second = _second(user_factory)
    response = sign_in(SHARED, "Wrong12345")
    assert response.status_code == 401 and WRONG in response.get_data(as_text=True)
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.failed_sign_ins == 1 and second.failed_sign_ins == 1


def test_forgot_one_healthcare_id_sends_every_id_on_the_email(client, first, user_factory, outbox):
    _second(user_factory)
    post_form(client, "/recover/id", email=SHARED)
    email = outbox.one(purpose="forgot_id")
    assert email.to == SHARED
    assert "2 One Healthcare IDs are registered to this email address" in email.body
    assert "- first.desk" in email.body and "- second.desk" in email.body


def test_password_recovery_by_a_shared_email_asks_for_the_id(client, first, user_factory):
    _second(user_factory)
    page = post_form(client, "/recover/password", identifier=SHARED).get_data(as_text=True)
    assert "More than one One Healthcare ID uses this email address." in page
    assert "Forgot One Healthcare ID? to get every ID linked to it" in page
    by_id = post_form(client, "/recover/password", identifier="second.desk")
    assert by_id.headers["Location"].endswith("/recover/password/verify")


def test_my_profile_change_to_a_shared_email_warns_and_offers_the_choice(
    client, sign_in, first, user_factory, outbox, db
):
    other = user_factory(username="other.person", email="other@example.com")
    sign_in("other.person")
    response = post_form(client, "/profile/sign-in-information", "/profile/email", email=SHARED)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Shared Email Address" in page and 'href="/signin">Sign In</a>' in page
    assert outbox.count(purpose="email_change") == 0
    response = client.post(
        "/profile/email",
        data={"csrf_token": csrf_token(page), "email": SHARED, "share_email": "y"},
    )
    assert response.headers["Location"].endswith("/profile/email/verify")
    code = outbox.latest(purpose="email_change").code
    post_form(client, "/profile/email/verify", code=code)
    db.session.refresh(other)
    assert other.email == SHARED


def test_qa_api_creates_a_user_on_a_shared_email(client, first):
    response = client.post(
        "/_qa/users",
        json={"username": "qa.shared", "email": SHARED, "password": "Password1"},
    )
    assert response.status_code == 201, response.json
    assert response.json["email_shared"] is True
    assert client.get("/_qa/users/first.desk").json["email_shared"] is True


def test_email_shared_is_released_with_the_email_scope_and_listed(client, first, user_factory):
    meta = client.get("/.well-known/openid-configuration").json
    assert "email_shared" in meta["claims_supported"]
    from idp.oidc.claims import generate_user_info

    assert generate_user_info(first, "openid email")["email_shared"] is False
    second = _second(user_factory)
    assert generate_user_info(second, "openid email")["email_shared"] is True
    assert "email_shared" not in generate_user_info(second, "openid profile")
