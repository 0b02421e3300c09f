"""Sign in (SPEC §3.1) through the test client."""

from __future__ import annotations

from idp.store.models import AuditEvent, SsoSession
from tests.helpers import csrf_token

WRONG = "The One Healthcare ID or password that you entered is incorrect."


def test_signin_page_has_ohid_texts(client):
    page = client.get("/signin").get_data(as_text=True)
    for text in (
        "Sign In",
        "One Healthcare ID or Email Address",
        "Continue",
        "Forgot One Healthcare ID?",
        "Create One Healthcare ID",
        "Manage My One Healthcare ID",
        "Remember me",
    ):
        assert text in page
    assert 'for="identifier"' in page


def test_password_page_has_ohid_texts(client, sign_in, user):
    sign_in.identifier("dana.provider")
    page = client.get("/signin/password").get_data(as_text=True)
    for text in ("Password", "Sign In", "Forgot Password?", "dana.provider"):
        assert text in page


def test_correct_password_signs_in_and_shows_my_profile(client, sign_in, user, db):
    response = sign_in("dana.provider")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/profile")
    page = client.get("/profile").get_data(as_text=True)
    assert "Manage your One Healthcare ID" in page and "dana.provider" in page
    assert db.session.query(SsoSession).count() == 1


def test_email_address_works_as_the_identifier(client, sign_in, user):
    response = sign_in("DANA@example.com")
    assert response.headers["Location"].endswith("/profile")


def test_username_is_matched_without_regard_to_case(client, sign_in, user):
    assert sign_in("Dana.Provider").headers["Location"].endswith("/profile")


def test_wrong_password_says_id_or_password_incorrect(client, sign_in, user):
    response = sign_in("dana.provider", "WrongPassword1")
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert WRONG in page
    assert 'aria-describedby="password-error"' in page


def test_unknown_id_gets_the_same_message_as_a_wrong_password(client, sign_in, user):
    response = sign_in("nobody.here", "Password1")
    assert response.status_code == 401
    assert WRONG in response.get_data(as_text=True)


def test_empty_identifier_is_asked_for(client):
    page = client.get("/signin")
    response = client.post("/signin", data={"csrf_token": csrf_token(page.data), "identifier": ""})
    assert "Enter your One Healthcare ID or email address." in response.get_data(as_text=True)


def test_empty_password_is_asked_for(client, sign_in, user):
    sign_in.identifier("dana.provider")
    response = sign_in.password("")
    assert "Enter your password." in response.get_data(as_text=True)


def test_form_without_csrf_token_is_refused(client, user):
    response = client.post("/signin", data={"identifier": "dana.provider"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_password_step_without_identifier_goes_back_to_first_step(client):
    response = client.get("/signin/password")
    assert response.status_code == 302 and response.headers["Location"].endswith("/signin")


def test_remember_me_prefills_the_id_on_this_browser(client, sign_in, user):
    sign_in.identifier("dana.provider", remember=True)
    page = client.get("/signin").get_data(as_text=True)
    assert 'value="dana.provider"' in page
    assert 'name="remember" type="checkbox" value="y" checked' in page or "checked" in page


def test_sign_in_rotates_the_session_cookie(client, sign_in, user):
    client.get("/signin")
    before = client.get_cookie("ohid_session").value
    sign_in("dana.provider")
    after = client.get_cookie("ohid_session").value
    assert before != after


def test_sign_out_ends_the_sso_session(client, sign_in, user, db):
    sign_in("dana.provider")
    page = client.get("/profile")
    response = client.post("/signout", data={"csrf_token": csrf_token(page.data)})
    assert response.status_code == 302
    assert client.get("/profile").headers["Location"].endswith("/signin")
    assert db.session.query(SsoSession).one().ended_at is not None


def test_sign_in_and_failure_are_audited(client, sign_in, user, db):
    sign_in("dana.provider", "Nope12345")
    sign_in("dana.provider")
    kinds = [e.kind for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert "sign_in_failed" in kinds and "sign_in" in kinds


def test_password_is_stored_as_argon2id(user):
    assert user.password_hash.startswith("$argon2id$")


def test_hash_from_other_profile_is_upgraded_at_sign_in(client, sign_in, user, db, app):
    from idp.crypto.hashing import PasswordHashing

    user.password_hash = PasswordHashing("standard").hash("Password1")
    db.session.commit()
    assert sign_in("dana.provider").headers["Location"].endswith("/profile")
    db.session.refresh(user)
    assert "m=1024" in user.password_hash


def test_idle_sso_session_expires(client, sign_in, user, clock):
    sign_in("dana.provider")
    clock.advance(minutes=31)
    assert client.get("/profile").headers["Location"].endswith("/signin")


def test_activity_keeps_the_sso_session_alive_past_the_idle_limit(client, sign_in, user, clock):
    sign_in("dana.provider")
    clock.advance(minutes=20)
    assert client.get("/profile").status_code == 200
    clock.advance(minutes=20)
    assert client.get("/profile").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/profile").headers["Location"].endswith("/signin")


def test_security_headers_on_pages(client):
    response = client.get("/signin")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_httponly_and_lax(client, sign_in, user):
    response = sign_in("dana.provider")
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("ohid_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Not Found" in response.get_data(as_text=True)
