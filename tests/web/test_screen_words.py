"""The Optum guides' words and elements on mock-ohid's screens, and values shown for reading."""

from __future__ import annotations

import html as html_lib
import re

from idp.store.models import OAuth2Client
from idp.web.country_codes import country_code_choices
from tests.helpers import authorize_url, csrf_token
from tests.web.registration_helpers import continue_after_email, register, verify_email_by_code


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def words_of(html: str) -> str:
    """The page's text as a person reads it: no tags, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html)))


def options_of(html: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select, select_id
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


def test_sign_in_shows_the_welcome_panel_support_line_divider_and_create_button(client):
    html = page_of(client, "/signin")
    text = words_of(html)
    for words in (
        "Welcome to One Healthcare ID",
        "Secure your account by moving away from Passwords",
        "Having trouble remembering your passwords? Switch to Authenticator for secure, "
        "convenient and hassle free sign in.",
        " Get Started ",
        "If you'd like assistance, contact support at 1-855-819-5909.",
    ):
        assert words in text, words
    assert '<p class="divider">or</p>' in html
    assert re.search(r'<a class="button" href="/register">Create One Healthcare ID</a>', html)


def test_registration_heads_the_rule_lists_and_offers_sign_in_now(client):
    html = page_of(client, "/register")
    assert "Your One Healthcare ID must have:" in html
    assert "Your password must have:" in html
    assert "Already have One Healthcare ID? Sign in now" in words_of(html)
    assert '<a href="/signin">Sign in now</a>' in html


def test_email_in_use_links_forgot_one_healthcare_id_to_the_recover_id_form(client, user_factory):
    user_factory(username="taken.person", email="taken@example.com")
    html = register(client, email="taken@example.com").get_data(as_text=True)
    assert '<a href="/recover/id">Forgot One Healthcare ID?</a>' in html


def test_update_phone_number_says_what_the_number_is_for(client):
    register(client)
    verify_email_by_code(client)
    continue_after_email(client)
    html = page_of(client, "/register/update-phone")
    assert "Enter your preferred Phone number which will be used for communication" in html


def test_security_methods_link_the_setup_guides_and_setup_urls_have_no_stray_query(
    client, sign_in, user
):
    sign_in("dana.provider")
    html = page_of(client, "/register/security")
    assert '<a href="/help#passkey-guide">Guide to set up passkey</a>' in html
    assert '<a href="/help#authenticator-guide">Guide to set up authenticator</a>' in html
    assert 'href="/register/security/passkey"' in html
    assert 'href="/register/security/authenticator"' in html
    assert 'method="get"' not in html
    help_html = page_of(client, "/help")
    assert '<h2 id="passkey-guide">Guide to set up passkey</h2>' in help_html
    assert '<h2 id="authenticator-guide">Guide to set up authenticator</h2>' in help_html


def test_one_country_code_picker_on_every_phone_form(client, sign_in, user_factory, db):
    expected = [c.label for c in country_code_choices()]
    assert expected[0] == "+1 United States, Canada"
    assert "+44 United Kingdom" in expected and "+247 Ascension Island" in expected
    # One format: "+code Country", never a bare region code like "+247 AC".
    assert all(re.fullmatch(r"\+\d{1,3} [A-Z][^()]+", label) for label in expected)
    assert not any(re.fullmatch(r"\+\d+ [A-Z]{2}", label) for label in expected)

    on_register = options_of(page_of(client, "/register"), "country_code")
    portal = db.session.query(OAuth2Client).filter_by(client_id="optum-connect-claims-online")
    portal.one().require_phone = True
    db.session.commit()
    user_factory(username="no.phone", email="nophone@example.com")
    client.get(authorize_url())
    sign_in("no.phone")
    on_step_up = options_of(page_of(client, "/signin/phone"), "country_code")
    client.post("/signout", data={})
    with client.session_transaction() as state:
        state.clear()
    user_factory(username="with.phone", email="with@example.com", phone="+16125550197")
    sign_in("with.phone")
    html = page_of(client, "/profile/verification-options")
    on_profile = options_of(html, "country_code")
    assert on_register == on_step_up == on_profile
    assert [html_lib.unescape(o) for o in on_register] == expected


def test_my_profile_shows_the_phone_number_formatted_for_reading(client, sign_in, user):
    sign_in("dana.provider")
    html = page_of(client, "/profile/verification-options")
    assert '<strong data-field="phone" data-e164="+16125550123">+1 612-555-0123</strong>' in html
    # The heading no longer takes the input's id, so the label points at the input.
    assert html.count('id="phone"') == 1 and "<input" in html.split('id="phone"')[0][-80:]


def test_show_password_is_an_eye_with_an_accessible_name(client):
    page = client.get("/signin")
    client.post("/signin", data={"csrf_token": csrf_token(page.data), "identifier": "someone"})
    html = page_of(client, "/signin/password")
    eye = re.search(r'<button type="button" class="eye".*?</button>', html, re.S).group(0)
    assert 'aria-label="Show"' in eye and 'title="Show password"' in eye and "<svg" in eye
    assert ">Show<" not in eye


# --- The guides' words and order (Optum Connect, Optum Pro, Provider Express guides) ---

INLINE = re.compile(r"</?(?:strong|em|a|span|code|b|i|label)\b[^>]*>")


def read(html: str) -> str:
    """Like ``words_of``, but inline tags (links, bold) leave no gap before punctuation."""
    return words_of(INLINE.sub("", html)).strip()


def in_order(text: str, *parts: str) -> None:
    """Each of ``parts`` is in ``text``, each after the one before."""
    at = -1
    for part in parts:
        found = text.find(part, at + 1)
        assert found > at, f"{part!r} is missing or out of order"
        at = found


def list_items(html: str, list_id: str) -> list[str]:
    block = re.search(rf'<ul[^>]*id="{list_id}"[^>]*>(.*?)</ul>', html, re.S)
    assert block, list_id
    items = re.findall(r"<li[^>]*>(.*?)</li>", block.group(1), re.S)
    return [read(re.sub(r'<span class="visually-hidden[^>]*>.*?</span>', "", i)) for i in items]


def test_create_page_intro_is_the_provider_express_guides_sentence(client):
    assert (
        "One Healthcare ID securely manages your account so that you can use one One Healthcare "
        "ID and password to sign in to all integrated applications."
    ) in read(page_of(client, "/register"))


def test_create_page_labels_and_help_icons_as_the_provider_express_transcript(client):
    html = page_of(client, "/register")
    assert '<label for="email">Your email address</label>' in html
    assert '<label for="year_of_birth">Year of birth</label>' in html
    assert '<label for="username">Create One Healthcare ID</label>' in html
    for field in ("year_of_birth", "username"):
        assert f'<details class="help-tip" id="{field}-help">' in html


def test_username_rules_in_the_guides_words_and_order(client):
    items = list_items(page_of(client, "/register"), "username-rules")
    assert items[:4] == [
        "6 to 50 characters",
        "At least one letter",
        "No spaces",
        "No letters with accents",
    ]
    assert items[4].startswith("None of these Symbols: % + \" & [ ] \\ ^ ' { | } < > # / , ; ( ) :")
    assert len(items) == 5


def test_password_rules_in_the_guides_words_then_the_mocks_own(client):
    assert list_items(page_of(client, "/register"), "password-rules") == [
        "Between 8 and 100 characters",
        "At least 1 uppercase letter",
        "At least 1 lowercase letter",
        "At least 1 number",
        "No spaces and no & symbol",
        "Cannot be the same as your One Healthcare ID",
    ]


def test_terms_sentence_with_i_agree_and_cancel(client):
    html = page_of(client, "/register")
    text = read(html)
    assert (
        "You must agree to the Terms of Use and Website Privacy Policy to use the One Healthcare "
        "ID service. If you do not agree, click Cancel and do not use any aspect of the One "
        "Healthcare ID service."
    ) in text
    in_order(text, "Website Privacy Policy to use", "I Agree", "Cancel")
    assert 'name="agreed" value="y"' in html and ">I Agree</button>" in html


def test_support_lines_per_screen_as_the_guides_show_them(client, sign_in, user):
    assert "If you'd like assistance, contact support at 1-855-819-5909." in read(
        page_of(client, "/signin")
    )
    assert (
        "If you'd like assistance, contact support at 1(855)819-5909 or optumsupport@optum.com."
    ) in read(page_of(client, "/register"))
    assert "contact support at 1-855-819-5909 or optumsupport@optum.com." in read(
        page_of(client, "/help")
    )
    for _ in range(5):
        locked = sign_in("dana.provider", "Wrong12345")
    assert "contact support at 1-855-819-5909 or optumsupport@optum.com." in read(
        locked.get_data(as_text=True)
    )


def test_lockout_offers_each_page_once(client, sign_in, user):
    for _ in range(5):
        html = sign_in("dana.provider", "Wrong12345").get_data(as_text=True)
    assert html.count('href="/recover/password"') == 1
    assert "Forgot Password?" not in html


def test_sign_in_page_in_the_optum_connect_guides_order(client):
    html = page_of(client, "/signin")
    text = read(html.split('<aside class="welcome"')[0])
    in_order(
        text,
        "One Healthcare ID or Email Address",
        "Forgot One Healthcare ID?",
        "Continue",
        "or",
        "Create One Healthcare ID",
        "Manage My One Healthcare ID",
        "Help Center",
        "English",
        "Remember me",
        "Sign in with a passkey",
    )
    assert '<a href="/help">Help Center</a>' in html
    # "English" is the page's language, a label, not a control with one choice.
    assert '<p class="language" id="page-language">English</p>' in html
    assert 'form="signin-form"' in html


def test_manage_my_one_healthcare_id_signed_out_says_to_sign_in(client):
    response = client.get("/profile")
    assert response.headers["Location"].endswith("/signin")
    assert "Sign in to manage your One Healthcare ID." in read(page_of(client, "/signin"))


def test_text_verification_in_the_optum_connect_guides_words(client):
    register(client)
    verify_email_by_code(client)
    continue_after_email(client)
    page = page_of(client, "/register/verify-phone")
    token = csrf_token(page)
    client.post("/register/verify-phone/send", data={"csrf_token": token, "method": "sms"})
    text = read(page_of(client, "/register/verify-phone"))
    assert (
        "We have sent you a text message with verification code on your registered phone "
        "number. Enter code below to complete the verification."
    ) in text
    in_order(text, "Verification Code", "Waiting for Text Message? Resend Code", "Verify")


def test_phone_success_screen_says_so_with_continue(client):
    register(client)
    verify_email_by_code(client)
    continue_after_email(client)
    token = csrf_token(page_of(client, "/register/verify-phone"))
    client.post("/register/verify-phone/send", data={"csrf_token": token, "method": "sms"})
    code = client.get("/_qa/outbox/latest", query_string={"channel": "sms"}).json["code"]
    token = csrf_token(page_of(client, "/register/verify-phone"))
    done = client.post("/register/verify-phone", data={"csrf_token": token, "code": code})
    assert done.headers["Location"].endswith("/register/phone-verified")
    text = read(page_of(client, "/register/phone-verified"))
    in_order(text, "Verify Phone Number", "Your phone number has been verified.", "Continue")


def test_email_page_note_is_the_guides(client):
    register(client)
    assert (
        "Allow up to 1-2 minutes for the email to arrive in your inbox. If you do not find the "
        "email in your primary inbox, check your spam or junk folders."
    ) in read(page_of(client, "/register/verify-email"))


def test_activation_email_button_and_the_continue_page(client):
    register(client)
    email = client.get("/_qa/outbox/latest", query_string={"channel": "email"}).json
    assert "Activate my One Healthcare ID" in email["body"]
    path = "/" + email["link"].split("/", 3)[3]
    text = read(page_of(client, path))
    assert "Select Continue to verify the email address" in text
    assert text.endswith("Continue") or "Continue" in text.split("Select Continue")[1]


def test_my_profile_is_the_pages_name(client, sign_in, user):
    sign_in("dana.provider")
    html = page_of(client, "/profile")
    assert "<h1>My Profile</h1>" in html and "<title>My Profile" in html


def test_demo_landings_as_their_guides_show_them():
    from idp.demo.portal_app import create_portal_app
    from idp.demo.portals import PORTALS

    def landing(name):
        portal = next(p for p in PORTALS if p.name == name)
        app = create_portal_app(portal, "http://localhost:1", None, "none", "http://localhost:2")
        return read(app.test_client().get("/").get_data(as_text=True))

    connect = landing("Claims Online Portal")
    in_order(connect, "Welcome to OPTUM-CONNECT.COM", "Log In here to access Optum's Clinical")
    assert "Log In (With OHID)" in connect and "Sign Me Up" in connect
    assert landing("Physician Info Portal") == connect.replace(
        "Claims Online Portal", "Physician Info Portal"
    )
    pro = landing("Optum Pro")
    assert "Register for Optum Pro" in pro and "Sign in" in pro
    express = landing("Provider Express")
    assert "First-Time User" in express and "Log In" in express
    portal = landing("Optum Provider Portal")
    in_order(portal, "Optum Provider Portal", "Sign In")


def test_shared_email_warning_and_optum_pros_refusal_in_the_guides_words(client, user_factory):
    from idp.demo.portal_rules import SHARED_EMAIL_REFUSED

    assert SHARED_EMAIL_REFUSED == (
        "A request is already in the system with the email you're trying to use. If the email "
        "is a shared address, register again with a unique email address. Work with your "
        "coworkers to decide who will/won't use the shared address."
    )
    user_factory(email="desk@example.com")
    text = read(register(client, email="desk@example.com").get_data(as_text=True))
    in_order(text, "Email is already in use", "Sign In", "Use this email address for another")
