"""Smaller things a new user noticed on the screens, each said once and in OHID's words."""

from __future__ import annotations

from idp.testing.softkey import SoftAuthenticator
from tests.helpers import post_form
from tests.web.recovery_steps import Recovery
from tests.web.test_passkeys import register_passkey


def text(response) -> str:
    return response.get_data(as_text=True)


def test_reset_done_page_says_its_sentence_once(client, user):
    Recovery(client).by_text("dana.provider", "+16125550123")
    page = text(client.get("/recover/password/done"))
    assert page.count("Your password has been reset") == 2  # the title and the heading
    assert "You can now sign in with your One Healthcare ID." in page


def test_email_change_page_says_we_sent_once(client, sign_in, user):
    sign_in("dana.provider")
    response = post_form(
        client, "/profile/sign-in-information", "/profile/email", email="dana.new@example.com"
    )
    page = text(client.get(response.headers["Location"]))
    assert page.count("We sent") == 1


def test_phone_change_page_names_the_last_four_digits(client, sign_in, user):
    sign_in("dana.provider")
    post_form(
        client,
        "/profile/verification-options",
        "/profile/phone",
        country_code="+1",
        phone="612 555 0188",
        method="sms",
    )
    page = text(client.get("/profile/phone/verify"))
    assert "the phone number ending in <strong>0188</strong>" in page
    assert "+16125550188" not in page


def test_a_passkey_added_from_my_profile_continues_back_to_my_profile(client, sign_in, user):
    sign_in("dana.provider")
    response = register_passkey(client, SoftAuthenticator())
    page = text(response)
    assert "Your passkey is set up." in page
    assert 'href="/profile/security">Continue</a>' in page
    assert 'href="/register/security">Continue' not in page
