"""Driving Create One Healthcare ID and its verification pages through the test client."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.helpers import csrf_token, post_form

QUESTIONS = (
    "What is the name of your first pet?",
    "What city were you born in?",
    "What was the make of your first car?",
)


def registration_data(**overrides) -> dict:
    """A complete, valid Create One Healthcare ID form; keywords replace fields."""
    data = {
        "first_name": "Quinn",
        "last_name": "Clinician",
        "year_of_birth": "1984",
        "email": "quinn@example.com",
        "username": "quinn.clinician",
        "password": "Welcome2Ohid",
        "password_again": "Welcome2Ohid",
        "country_code": "+1",
        "phone": "6125550199",
        "question_1": QUESTIONS[0],
        "answer_1": "Rex",
        "question_2": QUESTIONS[1],
        "answer_2": "Duluth",
        "question_3": QUESTIONS[2],
        "answer_3": "Saab",
        "agreed": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def register(client, **overrides):
    """GET the form, POST it; returns the POST response."""
    page = client.get("/register")
    data = registration_data(**overrides)
    data["csrf_token"] = csrf_token(page.data)
    return client.post("/register", data=data)


def latest(client, **filters) -> dict:
    response = client.get("/_qa/outbox/latest", query_string=filters)
    assert response.status_code == 200, response.json
    return response.json


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def verify_email_by_code(client, email="quinn@example.com"):
    code = latest(client, channel="email", to=email, purpose="email_activation")["code"]
    return post_form(client, "/register/verify-email", "/register/verify-email", code=code)


def continue_after_email(client):
    return post_form(client, "/register/email-verified", "/register/continue")


def continue_after_phone(client, response):
    """The phone success screen (Optum Connect guide, step 9): its message, then Continue."""
    assert response.headers["Location"].endswith("/register/phone-verified"), response.headers
    page = client.get("/register/phone-verified").get_data(as_text=True)
    assert "Your phone number has been verified." in page and ">Continue<" in page
    return post_form(client, "/register/phone-verified", "/register/continue")


def continue_past_security_offer(client, response):
    """A new registrant is offered "Switch to faster and more secure sign-in methods"
    after the phone step; press Continue there and return the response."""
    assert response.headers["Location"].endswith("/register/security"), response.headers
    return post_form(client, "/register/security", "/register/security")
