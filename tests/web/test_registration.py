"""Create One Healthcare ID (SPEC §3.2) through the test client: the form, its rules,
uniqueness, and the races for a username or an email."""

from __future__ import annotations

import html
import re
import threading

import pytest

from idp.lifecycle.security_questions import check_security_answer
from idp.store.models import OutboxMessage, SecurityAnswer, User
from tests.helpers import csrf_token
from tests.web.registration_helpers import QUESTIONS, register, registration_data

USERNAME_SYMBOLS = "%+\"&[]\\^'{|}<>#/,;():*~="


def error_of(page: str, field_id: str) -> str:
    """The text of the error block tied to ``field_id`` (empty when none)."""
    match = re.search(
        rf'<div class="error" id="{field_id}-error" role="alert">(.*?)</div>', page, re.S
    )
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))) if match else ""


def test_form_shows_ohid_sections_labels_and_buttons(client):
    page = client.get("/register").get_data(as_text=True)
    for text in (
        "Create One Healthcare ID",
        "Profile Information",
        "Sign In Information",
        "First name",
        "Last name",
        "Year of birth",
        "Your email address",
        "Create password",
        "Type password again",
        "Phone number",
        "Country code",
        "Security question 1",
        "Answer 3",
        "Terms of Use",
        "Website Privacy Policy",
        ">I Agree<",
        ">Cancel<",
    ):
        assert text in page, text
    for field in ("first_name", "email", "username", "password", "password_again", "phone"):
        assert f'for="{field}"' in page
    assert '<option selected value="+1">' in page


def test_form_shows_the_username_and_password_rule_lists(client):
    page = client.get("/register").get_data(as_text=True)
    assert 'id="username-rules"' in page and 'id="password-rules"' in page
    for rule in (
        "6 to 50 characters",
        "At least one letter",
        "No letters with accents",
        "No spaces",
        "None of these Symbols",
    ):
        assert rule in page
    for rule in (
        "Between 8 and 100 characters",
        "At least 1 uppercase letter",
        "At least 1 lowercase letter",
        "At least 1 number",
        "No spaces and no &amp; symbol",
        "Cannot be the same as your One Healthcare ID",
    ):
        assert rule in page
    assert 'aria-describedby="username-rules"' in page
    assert "register.js" in page


def test_rule_lists_are_ticked_for_the_submitted_values(client):
    page = register(client, username="ab", password="lowercase1").get_data(as_text=True)
    username_rules = page.split('id="username-rules"')[1].split("</ul>")[0]
    assert '<li data-rule="length">' in username_rules
    assert '<li data-rule="no_spaces" class="met">' in username_rules
    password_rules = page.split('id="password-rules"')[1].split("</ul>")[0]
    assert '<li data-rule="upper">' in password_rules
    assert '<li data-rule="lower" class="met">' in password_rules


def _stored_text(db) -> list[str]:
    """Every string (and JSON) value in every table, lower-cased."""
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()).mappings():
            found.extend(str(value).casefold() for value in row.values() if value is not None)
    return found


def test_valid_form_creates_the_account_and_asks_to_verify_the_email(client, db):
    # An answer with spaces: no random string (base64 salts, hex ids) can contain it.
    response = register(client, answer_1="Rex the Dog")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/register/verify-email")
    user = db.session.query(User).one()
    assert user.username == "quinn.clinician" and user.email == "quinn@example.com"
    assert user.phone == "+16125550199" and not user.phone_verified
    assert not user.email_verified and user.year_of_birth == 1984
    assert user.password_hash.startswith("$argon2id$")
    answers = db.session.query(SecurityAnswer).order_by(SecurityAnswer.position).all()
    assert [a.question for a in answers] == list(QUESTIONS)
    # The answers are kept as hashes that verify them, and in plain nowhere.
    assert check_security_answer(user, 1, "  rex THE dog ")
    assert not check_security_answer(user, 1, "Rex")
    assert check_security_answer(user, 2, "Duluth") and check_security_answer(user, 3, "Saab")
    assert not [value for value in _stored_text(db) if "rex the dog" in value]


def test_phone_is_stored_in_e164_from_the_country_code(client, db):
    register(client, country_code="+44", phone="020 7946 0018")
    assert db.session.query(User).one().phone == "+442079460018"


def test_phone_number_is_optional(client, db):
    assert register(client, phone="").status_code == 302
    assert db.session.query(User).one().phone is None


@pytest.mark.parametrize(
    ("username", "rule"),
    [
        ("abcde", "6 to 50 characters"),
        ("a" * 51, "6 to 50 characters"),
        ("quinn clinician", "No spaces"),
        *[(f"quinn{symbol}c", "None of these Symbols") for symbol in USERNAME_SYMBOLS],
        ("quinn-c", "None of these Symbols"),
        ("1234567", "At least one letter"),
        ("josé.rivera", "No letters with accents"),
        ("quinn.clinici\u0430n", "No letters with accents"),  # Cyrillic a
        ("quinn\u200b.clinician", "No spaces"),  # zero-width space
        ("quinn\u202e.clinician", "No spaces"),  # right-to-left override
        ("quinn\u00a0clinician", "No spaces"),
        ("quinn\tclinician", "No spaces"),
        ("quinn\x00clinician", "None of these Symbols"),
    ],
)
def test_each_broken_username_rule_is_named_next_to_the_field(client, db, username, rule):
    response = register(client, username=username)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert rule in error_of(page, "username")
    assert 'aria-describedby="username-error username-rules"' in page
    assert db.session.query(User).count() == 0


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Short1", "Between 8 and 100 characters"),
        ("Aa1" + "b" * 98, "Between 8 and 100 characters"),
        ("welcome2ohid", "At least 1 uppercase letter"),
        ("WELCOME2OHID", "At least 1 lowercase letter"),
        ("WelcomeOhid", "At least 1 number"),
        ("Welcome 2Ohid", "No spaces"),
        ("Welcome&2Ohid", "No spaces and no & symbol"),
        ("Quinn.Clinician1", "Cannot be the same as your One Healthcare ID"),
    ],
)
def test_each_broken_password_rule_is_named_next_to_the_field(client, db, password, rule):
    username = "quinn.clinician1" if "Clinician1" in password else "quinn.clinician"
    response = register(client, username=username, password=password, password_again=password)
    assert response.status_code == 400
    assert rule in error_of(response.get_data(as_text=True), "password")
    assert db.session.query(User).count() == 0


def test_every_broken_password_rule_is_listed_at_once(client):
    page = register(client, password="a b", password_again="a b").get_data(as_text=True)
    errors = error_of(page, "password")
    for rule in (
        "Between 8 and 100 characters",
        "At least 1 uppercase letter",
        "At least 1 number",
    ):
        assert rule in errors
    assert "No spaces" in errors


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        (
            {"password_again": "Welcome2Ohid!"},
            "password_again",
            "The passwords you entered do not match.",
        ),
        ({"password_again": ""}, "password_again", "This field is required."),
        ({"agreed": None}, "agreed", "agree to the Terms of Use and the Website Privacy Policy"),
        ({"first_name": ""}, "first_name", "This field is required."),
        ({"last_name": "   "}, "last_name", "This field is required."),
        ({"year_of_birth": "84"}, "year_of_birth", "Enter a year of birth between"),
        ({"year_of_birth": "nineteen"}, "year_of_birth", "four digits"),
        ({"email": ""}, "email", "This field is required."),
        ({"email": "quinn@"}, "email", "Enter a valid email address"),
        ({"phone": "12"}, "phone", "Enter a valid phone number."),
        ({"username": ""}, "username", "This field is required."),
        ({"question_2": QUESTIONS[0]}, "question_2", "Choose a different question"),
        ({"question_3": ""}, "question_3", "Choose a security question."),
        ({"answer_1": "  "}, "answer_1", "Answer this security question."),
        ({"answer_3": "REX"}, "answer_3", "Use a different answer"),
        ({"answer_2": "x" * 101}, "answer_2", "Use 100 characters or fewer."),
        ({"question_1": "What is your password?"}, "question_1", "Not a valid choice"),
        ({"country_code": "+999"}, "country_code", "Not a valid choice"),
    ],
)
def test_bad_input_is_named_next_to_its_field(client, db, overrides, field, text):
    response = register(client, **overrides)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert text in error_of(page, field)
    assert re.search(rf'aria-describedby="[^"]*\b{field}-error\b', page)
    assert db.session.query(User).count() == 0
    assert db.session.query(OutboxMessage).count() == 0


def test_form_without_csrf_token_is_refused(client, db):
    response = client.post("/register", data=registration_data())
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "The CSRF token is missing." in response.get_data(as_text=True)
    assert db.session.query(User).count() == 0


def test_taken_username_is_refused_without_regard_to_case(client, db, user_factory):
    user_factory(username="quinn.clinician", email="someone.else@example.com")
    response = register(client, username="Quinn.CLINICIAN")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "That One Healthcare ID is already taken." in error_of(page, "username")
    assert 'id="username-taken"' in page and "Forgot One Healthcare ID?" in page
    assert db.session.query(User).count() == 1


def test_email_in_use_warns_without_regard_to_case(client, db, user_factory):
    user_factory(username="someone.else", email="quinn@example.com")
    response = register(client, email="QUINN@Example.com")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Email is already in use: QUINN@Example.com is linked" in page
    assert 'href="/signin">Sign In</a>' in page and "Forgot One Healthcare ID?" in page
    assert db.session.query(User).count() == 1


def test_cancel_goes_back_to_sign_in(client):
    page = client.get("/register").get_data(as_text=True)
    assert '<a class="button" href="/signin">Cancel</a>' in page


def test_sign_in_page_links_to_create_one_healthcare_id(client):
    page = client.get("/signin").get_data(as_text=True)
    assert '<a class="button" href="/register">Create One Healthcare ID</a>' in page


def test_terms_and_privacy_pages_exist(client):
    assert "Terms of Use" in client.get("/terms-of-use").get_data(as_text=True)
    assert "Website Privacy Policy" in client.get("/privacy-policy").get_data(as_text=True)


def _race(app, first: dict, second: dict) -> list[int]:
    """Post two registrations at the same moment from two browsers."""
    clients = [app.test_client(), app.test_client()]
    tokens = [csrf_token(c.get("/register").data) for c in clients]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post(client, token, overrides):
        data = registration_data(**overrides)
        data["csrf_token"] = token
        barrier.wait()
        statuses.append(client.post("/register", data=data).status_code)

    threads = [
        threading.Thread(target=post, args=(clients[0], tokens[0], first)),
        threading.Thread(target=post, args=(clients[1], tokens[1], second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


@pytest.mark.parametrize("attempt", range(3))
def test_two_registrations_racing_for_one_username_make_one_account(app, db, attempt):
    statuses = _race(
        app,
        {"username": "race.winner", "email": "one@example.com"},
        {"username": "RACE.winner", "email": "two@example.com"},
    )
    assert statuses == [302, 409]
    assert db.session.query(User).count() == 1
