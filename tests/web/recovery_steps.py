"""Helpers for the recovery, rotation, lockout and profile flow tests."""

from __future__ import annotations

from idp.lifecycle.security_questions import QUESTIONS, set_security_answers
from idp.store import db
from tests.helpers import csrf_token

ANSWERS = [(QUESTIONS[0], "Rex"), (QUESTIONS[1], "Minneapolis"), (QUESTIONS[2], "Smith")]
NEW_PASSWORD = "NewPassword2"


def with_questions(user, pairs=ANSWERS):
    """Give ``user`` the three security questions of ``ANSWERS``."""
    set_security_answers(user, pairs)
    db.session.commit()
    return user


def token(client) -> str:
    """A CSRF token for this browser (valid for every form of the session)."""
    return csrf_token(client.get("/recover/id").data)


def post(client, url, **data):
    data.setdefault("csrf_token", token(client))
    return client.post(url, data=data)


def latest(client, **query) -> dict:
    response = client.get("/_qa/outbox/latest", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def text(response) -> str:
    return response.get_data(as_text=True)


class Recovery:
    """Drives "Forgot Password?" step by step through the test client."""

    def __init__(self, client):
        self.client = client

    def start(self, identifier):
        return post(self.client, "/recover/password", identifier=identifier)

    def choose(self, method):
        return post(self.client, "/recover/password/verify", method=method)

    def code(self, code):
        return post(self.client, "/recover/password/code", code=code)

    def answers(self, *answers):
        fields = {f"answer_{n}": a for n, a in enumerate(answers, start=1)}
        return post(self.client, "/recover/password/questions", **fields)

    def new_password(self, password=NEW_PASSWORD, confirm=None):
        return post(
            self.client,
            "/recover/password/new",
            new_password=password,
            confirm_password=password if confirm is None else confirm,
        )

    def by_text(self, identifier, phone, password=NEW_PASSWORD):
        """The whole reset by text code; returns the last response."""
        self.start(identifier)
        self.choose("sms")
        self.code(latest(self.client, channel="sms", to=phone, purpose="password_reset")["code"])
        return self.new_password(password)

    def by_email(self, identifier, email, password=NEW_PASSWORD):
        self.start(identifier)
        self.choose("email")
        self.code(latest(self.client, channel="email", to=email, purpose="password_reset")["code"])
        return self.new_password(password)
