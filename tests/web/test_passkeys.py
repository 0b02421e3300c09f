"""Passkeys over HTTP with a software authenticator (SPEC §3.1, §3.5, §6).

The browser's part is played by ``tests.softkey``; the real-browser journey
with Chromium's virtual authenticator is in ``tests/e2e``.
"""

from __future__ import annotations

import json

import pytest

from idp.store.models import PasskeyCredential, RecoveryCode, SsoSession
from idp.testing.softkey import SoftAuthenticator, b64url
from tests.helpers import SignIn, authorize_url, begin_registrant_sign_in, csrf_token, sign_out
from tests.oidc.portal import decode_id_token, exchange
from tests.web.mfa_helpers import follow_to_callback, recovery_code_on, text

REJECTED = "verify your passkey. Try again"


def options_for(client, page_url: str, options_url: str) -> tuple[dict, str]:
    """The WebAuthn options a page's script would fetch, and the page's CSRF token."""
    token = csrf_token(client.get(page_url).data)
    response = client.post(options_url, headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.data
    return response.json, token


def register_passkey(client, key: SoftAuthenticator, **create_kwargs):
    options, token = options_for(
        client, "/register/security/passkey", "/register/security/passkey/options"
    )
    credential = key.create(options, **create_kwargs)
    return client.post(
        "/register/security/passkey",
        data={"csrf_token": token, "credential": json.dumps(credential)},
    )


def passkey_sign_in(client, key: SoftAuthenticator, **get_kwargs):
    options, token = options_for(client, "/signin", "/signin/passkey/options")
    credential = key.get(options, **get_kwargs)
    return client.post(
        "/signin/passkey", data={"csrf_token": token, "credential": json.dumps(credential)}
    )


@pytest.fixture
def key():
    return SoftAuthenticator()


@pytest.fixture
def with_passkey(client, sign_in, user, key):
    """dana.provider with one passkey in ``key``, signed out."""
    sign_in("dana.provider")
    assert register_passkey(client, key).status_code == 200
    sign_out(client)
    return key


def test_passkey_setup_page_has_its_texts(client, sign_in, user):
    sign_in("dana.provider")
    html = text(client.get("/register/security/passkey"))
    assert "Passkey Setup" in html and 'data-passkey="register"' in html
    assert "Passkeys will not work here" not in html


def test_registration_options_exclude_passkeys_already_registered(client, with_passkey, db):
    passkey_sign_in(client, with_passkey)
    options, _ = options_for(
        client, "/register/security/passkey", "/register/security/passkey/options"
    )
    stored = db.session.query(PasskeyCredential).one()
    assert [c["id"] for c in options["excludeCredentials"]] == [stored.credential_id]
    assert options["user"]["id"] == stored.user_handle
    assert options["rp"]["id"] == "localhost"
    assert options["authenticatorSelection"]["residentKey"] == "preferred"


def test_registering_a_passkey_stores_it_and_shows_the_recovery_code(
    client, sign_in, user, key, db
):
    sign_in("dana.provider")
    response = register_passkey(client, key)
    html = text(response)
    assert "Your passkey is set up." in html and "Save your recovery code" in html
    assert len(recovery_code_on(response)) == 16
    row = db.session.query(PasskeyCredential).one()
    assert row.user_id == user.id and row.transports == ["internal"]
    assert row.sign_count == 0 and row.device_type == "single_device"
    assert row.credential_id == b64url(key.credentials[0].credential_id)


def test_passkey_from_another_origin_is_not_registered(client, sign_in, user, key, db):
    sign_in("dana.provider")
    response = register_passkey(client, key, origin="http://evil.test")
    assert response.status_code == 400 and REJECTED in text(response)
    assert db.session.query(PasskeyCredential).count() == 0


def test_passkey_setup_without_javascript_explains_why(client, sign_in, user):
    sign_in("dana.provider")
    page = client.get("/register/security/passkey")
    response = client.post(
        "/register/security/passkey", data={"csrf_token": csrf_token(page.data), "credential": ""}
    )
    assert response.status_code == 400
    html = text(response)
    assert "Passkeys need JavaScript" in html and 'aria-describedby="credential-error"' in html


def test_sign_in_with_a_passkey_alone(client, with_passkey, db):
    response = passkey_sign_in(client, with_passkey)
    assert response.headers["Location"].endswith("/profile")
    sso = db.session.query(SsoSession).filter_by(ended_at=None).one()
    assert sso.amr == ["hwk", "mfa"] and sso.acr == "urn:ohid:loa:2"
    assert db.session.query(PasskeyCredential).one().sign_count == 1


def test_portal_login_with_a_passkey_says_hwk_in_the_id_token(client, with_passkey):
    client.get(authorize_url(nonce="n-pk"))
    response = passkey_sign_in(client, with_passkey)
    query = follow_to_callback(client, response)
    claims = decode_id_token(client, exchange(client, query["code"]).json["id_token"])["claims"]
    assert claims["amr"] == ["hwk", "mfa"] and claims["acr"] == "urn:ohid:loa:2"


def test_synced_passkey_says_swk(client, sign_in, user, db):
    key = SoftAuthenticator(backup_eligible=True)
    sign_in("dana.provider")
    register_passkey(client, key)
    sign_out(client)
    passkey_sign_in(client, key)
    sso = db.session.query(SsoSession).filter_by(ended_at=None).one()
    assert sso.amr == ["swk", "mfa"]


def test_passkey_without_user_verification_still_needs_a_second_factor(client, sign_in, user, db):
    key = SoftAuthenticator(user_verified=False)
    sign_in("dana.provider")
    register_passkey(client, key)
    sign_out(client)
    response = passkey_sign_in(client, key)
    assert response.headers["Location"].endswith("/signin/verify")
    page = text(client.get("/signin/verify"))
    # The passkey that signed in cannot be the second factor too.
    assert "Use your passkey" not in page and 'data-method="passkey"' not in page


def test_passkey_as_the_second_factor_after_the_password(client, with_passkey, db):
    SignIn(client)("dana.provider")
    page = client.get("/signin/verify")
    assert "Use your passkey" in text(page)
    options, token = options_for(client, "/signin/verify", "/signin/verify/passkey/options")
    assert [c["id"] for c in options["allowCredentials"]] == [
        db.session.query(PasskeyCredential).one().credential_id
    ]
    credential = with_passkey.get(options)
    response = client.post(
        "/signin/verify", data={"csrf_token": token, "credential": json.dumps(credential)}
    )
    assert response.headers["Location"].endswith("/profile")
    sso = db.session.query(SsoSession).filter_by(ended_at=None).one()
    assert sso.amr == ["pwd", "hwk", "mfa"]


def test_challenge_cannot_be_used_twice(client, with_passkey):
    options, token = options_for(client, "/signin", "/signin/passkey/options")
    with client.session_transaction() as state:
        ceremony = dict(state["passkey_ceremonies"])
    credential = with_passkey.get(options)
    first = client.post(
        "/signin/passkey", data={"csrf_token": token, "credential": json.dumps(credential)}
    )
    assert first.headers["Location"].endswith("/profile")
    sign_out(client)
    # Replay: the same ceremony id and a fresh signature over the same challenge.
    with client.session_transaction() as state:
        state["passkey_ceremonies"] = ceremony
    token = csrf_token(client.get("/signin").data)
    again = client.post(
        "/signin/passkey",
        data={"csrf_token": token, "credential": json.dumps(with_passkey.get(options))},
    )
    assert again.status_code == 401 and REJECTED in text(again)


def test_challenge_is_bound_to_the_browser_session(app, client, with_passkey):
    options, _ = options_for(client, "/signin", "/signin/passkey/options")
    credential = with_passkey.get(options)
    other = app.test_client()
    _, other_token = options_for(other, "/signin", "/signin/passkey/options")
    response = other.post(
        "/signin/passkey", data={"csrf_token": other_token, "credential": json.dumps(credential)}
    )
    assert response.status_code == 401 and REJECTED in text(response)


def test_expired_challenge_is_refused(client, with_passkey, clock):
    options, token = options_for(client, "/signin", "/signin/passkey/options")
    clock.advance(minutes=6)
    response = client.post(
        "/signin/passkey",
        data={"csrf_token": token, "credential": json.dumps(with_passkey.get(options))},
    )
    assert response.status_code == 401 and REJECTED in text(response)


def test_assertion_from_another_origin_is_refused(client, with_passkey):
    response = passkey_sign_in(client, with_passkey, origin="http://localhost:9999")
    assert response.status_code == 401 and REJECTED in text(response)


def test_cloned_passkey_with_a_stale_sign_count_is_refused(client, with_passkey, db):
    assert passkey_sign_in(client, with_passkey).status_code == 302
    sign_out(client)
    response = passkey_sign_in(client, with_passkey, sign_count=1)
    assert response.status_code == 401 and REJECTED in text(response)
    assert db.session.query(PasskeyCredential).one().sign_count == 1


def test_unknown_passkey_is_refused(client, user):
    stranger = SoftAuthenticator()
    stranger.create(
        {"rp": {"id": "localhost"}, "challenge": "AA", "user": {"id": "AA"}},
    )
    response = passkey_sign_in(client, stranger)
    assert response.status_code == 401 and REJECTED in text(response)


def test_passkey_sign_in_without_javascript_explains_why(client, user):
    page = client.get("/signin")
    response = client.post(
        "/signin/passkey", data={"csrf_token": csrf_token(page.data), "credential": ""}
    )
    assert response.status_code == 401
    html = text(response)
    assert "Passkeys need JavaScript" in html and 'aria-describedby="passkey-error"' in html
    assert "Sign In" in html


def test_locked_account_cannot_sign_in_with_a_passkey(client, with_passkey, user, db, clock):
    from datetime import timedelta

    user.locked_until = clock.now() + timedelta(minutes=30)
    db.session.commit()
    response = passkey_sign_in(client, with_passkey)
    assert response.status_code == 401
    assert "Your One Healthcare ID is locked" in text(response)


def test_signin_page_offers_sign_in_with_a_passkey(client):
    html = text(client.get("/signin"))
    assert "Sign in with a passkey" in html and 'data-passkey="authenticate"' in html


def test_a_half_signed_in_user_cannot_add_a_passkey(client, with_passkey):
    # Password given, second factor not: adding a method would bypass it.
    SignIn(client)("dana.provider")
    assert client.get("/register/security/passkey").headers["Location"].endswith("/signin")
    response = client.post(
        "/register/security/passkey/options",
        headers={"X-CSRFToken": csrf_token(client.get("/signin").data)},
    )
    assert response.status_code == 401


def test_new_registrant_sets_up_a_passkey_then_continues_to_my_profile(client, user_factory, db):
    registrant = user_factory(username="new.registrant", email="new@example.com")
    begin_registrant_sign_in(client, registrant)
    key = SoftAuthenticator()
    response = register_passkey(client, key)
    assert "Your passkey is set up." in text(response)
    page = client.get("/register/security")
    finished = client.post("/register/security", data={"csrf_token": csrf_token(page.data)})
    assert finished.headers["Location"].endswith("/profile")
    sso = db.session.query(SsoSession).one()
    assert sso.user_id == registrant.id and sso.amr == ["pwd", "hwk", "mfa"]


def test_registration_journey_shows_the_security_screen_before_finishing(client, user_factory):
    from idp.web.flow import STEP_PAGES

    registrant = user_factory(username="new.registrant", email="new@example.com")
    begin_registrant_sign_in(client, registrant)
    assert STEP_PAGES["offer_security_methods"] == "register_security.offer"
    page = client.get("/register/security")
    assert "Switch to faster and more secure sign-in methods" in text(page)
    response = client.post("/register/security", data={"csrf_token": csrf_token(page.data)})
    assert response.headers["Location"].endswith("/profile")


def test_rename_and_remove_a_passkey_from_my_profile(client, with_passkey, db, user):
    passkey_sign_in(client, with_passkey)
    row = db.session.query(PasskeyCredential).one()
    page = client.get("/profile/security")
    html = text(page)
    assert "Passkeys" in html and "Rename" in html and "Remove" in html
    token = csrf_token(page.data)
    response = client.post(
        f"/profile/security/passkeys/{row.id}/rename",
        data={"csrf_token": token, "name": "Work laptop", "next": "/profile/security"},
    )
    assert response.headers["Location"].endswith("/profile/security")
    assert "Work laptop" in text(client.get("/profile/security"))
    response = client.post(
        f"/profile/security/passkeys/{row.id}/remove",
        data={"csrf_token": token, "next": "/profile/security"},
    )
    assert response.status_code == 302
    assert db.session.query(PasskeyCredential).count() == 0
    # No passkey or authenticator left: the recovery code has nothing to stand in for.
    assert db.session.query(RecoveryCode).filter_by(used_at=None).count() == 0


def test_removing_a_passkey_asks_first_and_warns_about_the_last_one(client, with_passkey, db):
    passkey_sign_in(client, with_passkey)
    row = db.session.query(PasskeyCredential).one()
    html = text(client.get("/profile/security"))
    # The remove button sits inside a closed disclosure: one click only opens the question.
    confirm = html.split('<details class="confirm-remove">')[1].split("</details>")[0]
    assert f'<summary aria-label="Remove {row.name}">Remove</summary>' in confirm
    assert f"/profile/security/passkeys/{row.id}/remove" in confirm
    assert f"Yes, remove {row.name}" in confirm
    assert "your recovery code stops working too" in confirm


def test_renaming_to_an_empty_name_says_so_next_to_the_field(client, with_passkey, db):
    passkey_sign_in(client, with_passkey)
    row = db.session.query(PasskeyCredential).one()
    page = client.get("/profile/security")
    response = client.post(
        f"/profile/security/passkeys/{row.id}/rename",
        data={"csrf_token": csrf_token(page.data), "name": "   "},
    )
    assert response.status_code == 400
    html = text(response)
    assert "Enter a name of 1 to 64 characters." in html
    assert f'aria-describedby="passkey-name-{row.id}-error"' in html


def test_someone_elses_passkey_cannot_be_removed(client, with_passkey, user_factory, db):
    row = db.session.query(PasskeyCredential).one()
    user_factory(username="other.user", email="other@example.com")
    SignIn(client)("other.user")
    page = client.get("/profile")
    response = client.post(
        f"/profile/security/passkeys/{row.id}/remove", data={"csrf_token": csrf_token(page.data)}
    )
    assert response.status_code == 404
    assert db.session.query(PasskeyCredential).count() == 1


def test_open_redirect_through_next_is_refused(client, with_passkey, db):
    passkey_sign_in(client, with_passkey)
    row = db.session.query(PasskeyCredential).one()
    page = client.get("/profile/security")
    response = client.post(
        f"/profile/security/passkeys/{row.id}/rename",
        data={"csrf_token": csrf_token(page.data), "name": "Key", "next": "https://evil.test/"},
    )
    assert response.headers["Location"].endswith("/profile/security")
