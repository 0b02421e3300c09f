"""Forgot One Healthcare ID (SPEC §3.6): the ID is emailed; the page is the same either way."""

from __future__ import annotations

from idp.store.models import OutboxMessage
from tests.web.recovery_steps import post, text

SAME_EITHER_WAY = "If a One Healthcare ID is registered to that"


def test_forgot_id_page_has_ohid_texts(client):
    page = text(client.get("/recover/id"))
    for words in ("Forgot One Healthcare ID?", "Email address", "Continue", 'for="email"'):
        assert words in page


def test_registered_email_gets_the_id_by_email(client, user):
    response = post(client, "/recover/id", email="dana@example.com")
    assert response.status_code == 200 and SAME_EITHER_WAY in text(response)
    mail = client.get("/_qa/outbox/latest?channel=email&purpose=forgot_id").json
    assert mail["to"] == "dana@example.com"
    assert "dana.provider" in mail["body"] and mail["subject"] == "Your One Healthcare ID"


def test_email_is_matched_without_regard_to_case(client, user):
    post(client, "/recover/id", email="DANA@Example.com")
    assert client.get("/_qa/outbox/latest?purpose=forgot_id").json["to"] == "dana@example.com"


def test_unknown_email_gets_the_same_page_and_no_email(client, user, db):
    known = text(post(client, "/recover/id", email="dana@example.com"))
    unknown = post(client, "/recover/id", email="nobody@example.com")
    assert unknown.status_code == 200
    assert text(unknown).split("<main")[1] == known.split("<main")[1]
    assert db.session.query(OutboxMessage).filter_by(to="nobody@example.com").count() == 0


def test_invalid_email_is_refused_next_to_the_field(client):
    response = post(client, "/recover/id", email="not-an-email")
    page = text(response)
    assert response.status_code == 400
    assert "Enter a valid email address, like name@example.com." in page
    assert 'aria-describedby="email-error"' in page and SAME_EITHER_WAY not in page


def test_empty_email_is_asked_for(client):
    response = post(client, "/recover/id", email="")
    assert response.status_code == 400 and "Enter your email address." in text(response)


def test_repeats_within_the_cool_down_send_one_email(client, user, db, clock):
    post(client, "/recover/id", email="dana@example.com")
    second = post(client, "/recover/id", email="dana@example.com")
    assert SAME_EITHER_WAY in text(second)
    assert db.session.query(OutboxMessage).filter_by(purpose="forgot_id").count() == 1
    clock.advance(seconds=31)
    post(client, "/recover/id", email="dana@example.com")
    assert db.session.query(OutboxMessage).filter_by(purpose="forgot_id").count() == 2


def test_sign_in_and_help_pages_link_to_the_recovery_pages(client, sign_in, user):
    assert 'href="/recover/id">Forgot One Healthcare ID?' in text(client.get("/signin"))
    sign_in.identifier("dana.provider")
    assert 'href="/recover/password">Forgot Password?' in text(client.get("/signin/password"))
    help_page = text(client.get("/help"))
    assert 'href="/recover/id"' in help_page and 'href="/recover/password"' in help_page
    assert 'href="/recover/unlock"' in help_page
