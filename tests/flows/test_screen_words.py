"""The Optum guides' words and elements on mock-ohid's screens, and values shown for reading."""

from __future__ import annotations

import html as html_lib
import re

from idp.models import OAuth2Client
from idp.web.country_codes import country_code_choices

from ..helpers import authorize_url, csrf_token
from .registration_helpers import continue_after_email, register, verify_email_by_code


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
